//! Checking rows as they stream ([`VerifiedBundle::check`], what `validate`
//! runs) against reading the spooled records and deletions (what import
//! relies on): the same verdict, word for word, on bundles with
//! one fault of each kind the row checks know, anywhere.

use proptest::prelude::*;

use super::*;

/// One fault of each kind, placed by `at` (reduced modulo what it indexes).
#[derive(Clone, Copy, Debug)]
enum Fault {
    None,
    DuplicateCanonical,
    SwappedCanonicals,
    EdgeOfAnotherCanonical,
    DuplicateEdge,
    EdgeOfNoCanonical,
    BadCve,
    WrongId,
    BadMergeHash,
    UnknownField,
    WrongDeletionId,
    ForgedIdentity,
    ControlInIdentifier,
    NulInText,
    LongKey,
}

const FAULTS: [Fault; 15] = [
    Fault::None,
    Fault::DuplicateCanonical,
    Fault::SwappedCanonicals,
    Fault::EdgeOfAnotherCanonical,
    Fault::DuplicateEdge,
    Fault::EdgeOfNoCanonical,
    Fault::BadCve,
    Fault::WrongId,
    Fault::BadMergeHash,
    Fault::UnknownField,
    Fault::WrongDeletionId,
    Fault::ForgedIdentity,
    Fault::ControlInIdentifier,
    Fault::NulInText,
    Fault::LongKey,
];

/// A canonical row with a field the format does not know.
#[derive(serde::Serialize)]
struct WithExtra<'a> {
    #[serde(flatten)]
    canonical: &'a Canonical,
    extra: u8,
}

fn records(edges: &[usize]) -> Vec<CanonicalRecord> {
    let sources = ["ghsa", "nvd", "osv", "pypa"];
    (0..edges.len())
        .map(|i| {
            let c = canonical(&format!("CVE-2024-{:04}", 1000 + i), "pkg", "Bug");
            let edges = (0..edges[i])
                .map(|k| edge(&c, sources[k % 4], &format!("ADV-{i}-{k}")))
                .collect();
            CanonicalRecord {
                canonical: c,
                edges,
            }
        })
        .collect()
}

fn apply(fault: Fault, at: usize, records: &mut Vec<CanonicalRecord>, deletions: &mut [Deletion]) {
    let n = records.len();
    let i = at % n;
    let with_edges: Vec<usize> = (0..n).filter(|&k| !records[k].edges.is_empty()).collect();
    let e = with_edges.get(at % with_edges.len().max(1)).copied();
    match fault {
        Fault::None | Fault::UnknownField => {}
        Fault::DuplicateCanonical => {
            let copy = CanonicalRecord {
                canonical: records[i].canonical.clone(),
                edges: vec![],
            };
            records.insert((at / 7) % (n + 1), copy);
        }
        Fault::SwappedCanonicals => {
            let other = (i + 1 + at / 7 % (n.max(2) - 1)) % n;
            let (a, b) = (
                records[i].canonical.clone(),
                records[other].canonical.clone(),
            );
            records[i].canonical = b;
            records[other].canonical = a;
        }
        Fault::EdgeOfAnotherCanonical => {
            if let Some(e) = e {
                let other = records[(e + 1) % n].canonical.merge_hash.clone();
                records[e].edges[0].merge_hash = other;
            }
        }
        Fault::DuplicateEdge => {
            if let Some(e) = e {
                let copy = records[e].edges[0].clone();
                records[e].edges.push(copy);
            }
        }
        Fault::EdgeOfNoCanonical => {
            if let Some(e) = e {
                records[e].edges[0].canonical_id = uuid::Uuid::from_u128(at as u128);
            }
        }
        Fault::BadCve => records[i].canonical.cve = "not a key".into(),
        Fault::WrongId => records[i].canonical.id = uuid::Uuid::from_u128(7),
        Fault::BadMergeHash => records[i].canonical.merge_hash = "sha256:XYZ".into(),
        Fault::WrongDeletionId => {
            if let Some(d) = deletions.first_mut() {
                d.canonical_id = uuid::Uuid::from_u128(9);
            }
        }
        // Another identity under the same merge hash (and id).
        Fault::ForgedIdentity => records[i].canonical.cve = "CVE-2099-9999".into(),
        Fault::ControlInIdentifier => match e {
            Some(e) if at.is_multiple_of(2) => {
                records[e].edges[0].source_advisory_id.push('\u{1b}')
            }
            _ => {
                let c = &mut records[i].canonical;
                c.affects_key.push_str("\u{9b}2J");
                rehash(c);
            }
        },
        Fault::NulInText => records[i].canonical.summary.push('\0'),
        Fault::LongKey => match e {
            Some(e) if at.is_multiple_of(2) => records[e].edges[0].source = "s".repeat(513),
            _ => {
                let c = &mut records[i].canonical;
                c.affects_key = format!("pkg:pypi/{}", "a".repeat(504));
                rehash(c);
            }
        },
    }
}

/// The bundle, signed, with `UnknownField` written into the row at `at`.
fn bundle(records: &[CanonicalRecord], deletions: &[Deletion], extra_at: Option<usize>) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let opts = WriteOptions::default();
    let mut c = NdjsonSpool::new(Member::Canonicals, dir.path(), &opts).unwrap();
    let mut e = NdjsonSpool::new(Member::Edges, dir.path(), &opts).unwrap();
    let mut d = NdjsonSpool::new(Member::Deletions, dir.path(), &opts).unwrap();
    for (i, r) in records.iter().enumerate() {
        match extra_at {
            Some(at) if at % records.len() == i => {
                let canonical = &r.canonical;
                c.push(&WithExtra {
                    canonical,
                    extra: 1,
                })
                .unwrap();
            }
            _ => c.push(&r.canonical).unwrap(),
        }
        r.edges.iter().for_each(|edge| e.push(edge).unwrap());
    }
    deletions.iter().for_each(|row| d.push(row).unwrap());
    let members = [
        c.finish().unwrap(),
        e.finish().unwrap(),
        d.finish().unwrap(),
    ];
    let mut out = Vec::new();
    write_bundle(&mut out, &header(), members, Some(&test_signer()), &opts).unwrap();
    out
}

/// Reading the spooled records, as import does.
fn by_records(bytes: &[u8]) -> Result<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let bundle = open(Box::new(bytes), &Limits::default()).map_err(|e| e.to_string())?;
    let spooled = bundle.skip_signature(skip()).spool(dir.path());
    let spooled = spooled.map_err(|e| e.to_string())?;
    let mut records = spooled.records().map_err(|e| e.to_string())?;
    records
        .try_for_each(|r| r.map(drop))
        .map_err(|e| e.to_string())?;
    let mut deletions = spooled.deletions().map_err(|e| e.to_string())?;
    deletions
        .try_for_each(|d| d.map(drop))
        .map_err(|e| e.to_string())?;
    Ok(spooled.bundle_hash().to_owned())
}

/// Checking as the rows stream, as validate does; leaves `scratch` empty.
fn by_stream(bytes: &[u8]) -> Result<String, String> {
    let scratch = tempfile::tempdir().unwrap();
    let bundle = open(Box::new(bytes), &Limits::default()).map_err(|e| e.to_string())?;
    let checked = bundle.check(scratch.path());
    let left = std::fs::read_dir(scratch.path()).unwrap().count();
    assert_eq!(left, 0, "scratch files left behind");
    checked
        .map(|s| s.bundle_hash().to_owned())
        .map_err(|e| e.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn streaming_checks_give_the_records_verdict(
        edges in proptest::collection::vec(0usize..4, 1..6),
        fault in proptest::sample::select(FAULTS.to_vec()),
        at in 0usize..1000,
    ) {
        let mut records = records(&edges);
        let mut deletions = vec![deletion("CVE-2023-9999", "urllib3")];
        apply(fault, at, &mut records, &mut deletions);
        let extra = matches!(fault, Fault::UnknownField).then_some(at);
        let bytes = bundle(&records, &deletions, extra);
        let expected = by_records(&bytes);
        prop_assert_eq!(by_stream(&bytes), expected.clone());
        if matches!(fault, Fault::None) {
            prop_assert!(expected.is_ok());
        }
    }
}

#[test]
fn each_fault_is_refused_for_its_own_cause() {
    let causes = [
        (Fault::DuplicateCanonical, "twice (line"),
        (
            Fault::EdgeOfAnotherCanonical,
            "differs from its canonical's",
        ),
        (Fault::DuplicateEdge, "bundle carries the edge from"),
        (
            Fault::EdgeOfNoCanonical,
            "which is not in `canonicals.ndjson`",
        ),
        (Fault::BadCve, "malformed advisory key `not a key`"),
        (Fault::WrongId, "is not the id"),
        (Fault::BadMergeHash, "malformed merge hash `sha256:XYZ`"),
        (Fault::UnknownField, "unknown field `extra`"),
        (Fault::WrongDeletionId, "of `deletions.ndjson`: id"),
        (Fault::ForgedIdentity, "is not `sha256:"),
        (
            Fault::ControlInIdentifier,
            "field `affects_key` holds the control character U+009B (`pkg:pypi/pkg\\u{9b}2J`)",
        ),
        (Fault::NulInText, "field `summary` holds a NUL character"),
        (
            Fault::LongKey,
            "field `affects_key` holds 513 bytes, over the limit of 512",
        ),
    ];
    for (fault, cause) in causes {
        let mut records = records(&[2, 1, 3]);
        let mut deletions = vec![deletion("CVE-2023-9999", "urllib3")];
        apply(fault, 1, &mut records, &mut deletions);
        let extra = matches!(fault, Fault::UnknownField).then_some(1);
        let error = by_stream(&bundle(&records, &deletions, extra)).unwrap_err();
        assert!(error.contains(cause), "{fault:?}: {error}");
    }
}

#[test]
fn a_damaged_bundle_is_named_by_its_damage_not_its_rows() {
    let mut records = records(&[1, 1]);
    records[0].canonical.cve = "not a key".into();
    let bytes = bundle(&records, &[], None);
    assert!(by_stream(&bytes).unwrap_err().contains("not a key"));
    for spot in 0..bytes.len() {
        let mut damaged = bytes.clone();
        damaged[spot] ^= 0x01;
        let (streamed, spooled) = (by_stream(&damaged), by_records(&damaged));
        assert_eq!(streamed, spooled, "byte {spot}");
        let error = streamed.unwrap_err();
        assert!(!error.contains("not a key"), "byte {spot}: {error}");
    }
}
