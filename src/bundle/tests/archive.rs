//! Hostile archive content: unsafe paths, links, extra, reordered and
//! duplicate members, and rows that break the merge-join rules.

use tar::EntryType;

use super::*;

type Parts = Vec<(Vec<u8>, EntryType, Vec<u8>)>;

/// The sample's members, editable.
fn parts() -> Parts {
    members_of(&decompress(&sample_bundle()))
        .into_iter()
        .map(|(name, data)| (name.into_bytes(), EntryType::Regular, data))
        .collect()
}

fn error_of(parts: &Parts) -> BundleError {
    let bytes = assemble(parts);
    open(Box::new(&bytes[..]), &Limits::default())
        .and_then(|b| b.skip_signature(skip()).check_bytes())
        .unwrap_err()
}

#[test]
fn the_unedited_parts_rebuild_the_sample() {
    assert_eq!(assemble(&parts()), sample_bundle());
}

#[test]
fn unsafe_paths_are_refused() {
    for (name, reason) in [
        (&b"../x"[..], "`.` or `..` component"),
        (b"/etc/passwd", "absolute path"),
        (b"a\\b", "contains a backslash"),
    ] {
        let mut p = parts();
        p[0].0 = name.to_vec();
        assert!(
            matches!(error_of(&p), BundleError::UnsafePath { reason: r, .. } if r == reason),
            "{name:?}"
        );
    }
    let mut p = parts();
    p.push((b"../evil".to_vec(), EntryType::Regular, b"x".to_vec()));
    assert!(matches!(error_of(&p), BundleError::UnsafePath { path, .. } if path == "../evil"));
}

#[test]
fn links_and_other_entry_types_are_refused() {
    let mut p = parts();
    p[0].1 = EntryType::Symlink;
    assert_eq!(
        error_of(&p).to_string(),
        "member `MANIFEST.json` is a symbolic link, not a regular file"
    );
    let mut p = parts();
    p[3].1 = EntryType::Directory;
    assert!(
        matches!(error_of(&p), BundleError::NotRegularFile { path, kind } if path == "edges.ndjson" && kind == "directory")
    );
}

#[test]
fn extra_reordered_and_duplicate_members_are_refused() {
    let mut p = parts();
    p.push((b"foo".to_vec(), EntryType::Regular, b"x".to_vec()));
    assert_eq!(
        error_of(&p).to_string(),
        "extra member `foo` after `deletions.ndjson`"
    );
    let mut p = parts();
    p.swap(2, 3);
    assert_eq!(
        error_of(&p).to_string(),
        "unexpected member `edges.ndjson` where `canonicals.ndjson` was expected"
    );
    let mut p = parts();
    p.insert(1, (b"foo".to_vec(), EntryType::Regular, vec![]));
    assert_eq!(
        error_of(&p).to_string(),
        "unexpected member `foo` where `SIGNATURE.json` was expected"
    );
    let mut p = parts();
    let dup = p[1].clone();
    p.insert(2, dup);
    assert!(
        matches!(error_of(&p), BundleError::DuplicateMember { path } if path == "SIGNATURE.json")
    );
    let mut p = parts();
    let dup = p[4].clone();
    p.push(dup);
    assert!(
        matches!(error_of(&p), BundleError::DuplicateMember { path } if path == "deletions.ndjson")
    );
    let mut p = parts();
    p.truncate(4);
    assert!(matches!(
        error_of(&p),
        BundleError::UnexpectedMember {
            expected: "deletions.ndjson",
            ..
        }
    ));
}

/// Writes an unsigned bundle from raw NDJSON text, then reads the records.
fn records_error(canonicals: &[Canonical], edges: &[SourceEdge]) -> BundleError {
    let dir = tempfile::tempdir().unwrap();
    let mut c = NdjsonSpool::new(Member::Canonicals, dir.path(), &WriteOptions::default()).unwrap();
    canonicals.iter().for_each(|row| c.push(row).unwrap());
    let mut e = NdjsonSpool::new(Member::Edges, dir.path(), &WriteOptions::default()).unwrap();
    edges.iter().for_each(|row| e.push(row).unwrap());
    let d = NdjsonSpool::new(Member::Deletions, dir.path(), &WriteOptions::default()).unwrap();
    let members = [
        c.finish().unwrap(),
        e.finish().unwrap(),
        d.finish().unwrap(),
    ];
    let mut bytes = Vec::new();
    write_bundle(
        &mut bytes,
        &header(),
        members,
        None,
        &WriteOptions::default(),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let spooled = open(Box::new(&bytes[..]), &Limits::default())
        .unwrap()
        .skip_signature(skip())
        .spool(out.path())
        .unwrap();
    spooled
        .records()
        .unwrap()
        .find_map(Result::err)
        .expect("an error")
}

#[test]
fn rows_breaking_the_merge_join_are_refused() {
    let a = canonical("CVE-2024-0001", "a", "t");
    let b = canonical("CVE-2024-0002", "b", "t");
    let stranger = canonical("CVE-2024-0003", "c", "t");
    let err = records_error(
        &[a.clone(), b.clone()],
        &[edge(&b, "s", "1"), edge(&a, "s", "2")],
    );
    assert!(
        matches!(err, BundleError::EdgeOutOfOrder { line: 2, canonical_id } if canonical_id == a.id.to_string())
    );
    let err = records_error(std::slice::from_ref(&a), &[edge(&stranger, "s", "1")]);
    assert!(matches!(err, BundleError::EdgeOutOfOrder { line: 1, .. }));
    let mut wrong = edge(&a, "s", "1");
    wrong.merge_hash = b.merge_hash.clone();
    assert!(matches!(
        records_error(std::slice::from_ref(&a), &[wrong]),
        BundleError::EdgeMergeHash { line: 1, .. }
    ));
    let mut bad_id = a.clone();
    bad_id.id = b.id;
    assert!(matches!(
        records_error(&[bad_id], &[]),
        BundleError::IdMismatch {
            path: "canonicals.ndjson",
            line: 1,
            ..
        }
    ));
    let mut bad_hash = a.clone();
    bad_hash.merge_hash = "sha256:XY".into();
    assert!(matches!(
        records_error(&[bad_hash], &[]),
        BundleError::BadMergeHash { line: 1, .. }
    ));
    let mut bad_cve = a;
    bad_cve.cve = "CVE 2024".into();
    assert!(matches!(
        records_error(&[bad_cve], &[]),
        BundleError::BadCve { line: 1, .. }
    ));
}
