//! Format-level tests: round trips, determinism, exhaustive tampering,
//! signatures, hostile archives and the committed test vector. This file
//! holds the shared fixtures: fixed rows, the test key, and helpers that
//! build bundles (canonical or hand-crafted) and read them back.

mod archive;
mod check;
mod identity;
mod manifest;
mod ranges;
mod roundtrip;
mod rows;
mod scan;
mod signature;
mod tamper;
mod vector;

use std::io::Read;

use super::format::{frame, tar as tarfmt};
use super::*;
use crate::bundle::{SignaturePolicy, SignatureSkip};
use crate::keys::{Signer, parse_public_pem};
use crate::model::{
    Canonical, CanonicalRecord, Deletion, RangeEvent, Severity, SourceEdge, Status, VersionRange,
    canonical_id, edge_id, sha256_tagged,
};

pub(super) const TEST_KEY: &str = include_str!("../../../fixtures/keys/test-federation.key.pem");
pub(super) const TEST_PUB: &str = include_str!("../../../fixtures/keys/test-federation.pub.pem");

pub(super) fn test_signer() -> Signer {
    Signer::from_pem(TEST_KEY, None, "test-federation").unwrap()
}

pub(super) fn test_trusted() -> TrustedPublicKey {
    parse_public_pem(TEST_PUB).unwrap()
}

/// Leave to read a bundle unverified, as a site that does not require
/// signatures grants it.
pub(super) fn skip() -> SignatureSkip {
    let optional = SignaturePolicy {
        require_signature: false,
        skip_on_trusted_sites: false,
    };
    optional.requested().unwrap()
}

/// A canonical whose merge hash is the hash of its identity.
pub(super) fn canonical(cve: &str, package: &str, title: &str) -> Canonical {
    let mut c = Canonical {
        history: None,
        id: uuid::Uuid::nil(),
        cve: cve.into(),
        affects_key: format!("pkg:pypi/{package}"),
        merge_hash: String::new(),
        status: Status::Active,
        severity: Severity::High,
        title: title.into(),
        summary: format!("{title} in {package}"),
        cvss_vector: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into()),
        version_range: vec![VersionRange {
            range_type: "ECOSYSTEM".into(),
            repo: None,
            events: vec![
                RangeEvent::Introduced("0".into()),
                RangeEvent::Fixed("2.0.1".into()),
            ],
        }],
        weaknesses: vec!["CWE-79".into()],
        patch_lineage: vec![],
        published: Some("2024-01-02T03:04:05Z".into()),
        modified: None,
    };
    rehash(&mut c);
    c
}

/// Gives `c` the merge hash (and id) of its identity.
pub(super) fn rehash(c: &mut Canonical) {
    c.merge_hash = crate::model::merge_hash::compute(
        &c.cve,
        &c.affects_key,
        &c.version_range,
        &c.weaknesses,
        &c.patch_lineage,
    );
    c.id = canonical_id(&c.merge_hash);
}

pub(super) fn edge(c: &Canonical, source: &str, advisory: &str) -> SourceEdge {
    SourceEdge {
        id: edge_id(&c.id, source, advisory),
        canonical_id: c.id,
        merge_hash: c.merge_hash.clone(),
        source: source.into(),
        source_advisory_id: advisory.into(),
        vendor_status: "affected".into(),
        source_sha256: sha256_tagged(advisory.as_bytes()),
    }
}

pub(super) fn deletion(cve: &str, package: &str) -> Deletion {
    let merge_hash = sha256_tagged(format!("{cve}|{package}").as_bytes());
    Deletion {
        history: None,
        canonical_id: canonical_id(&merge_hash),
        merge_hash,
        deleted_at: "2025-01-15T10:29:59.000Z".into(),
        reason: "superseded".into(),
    }
}

/// Three canonicals (one without edges), four edges, one deletion, each
/// with a causal history (format 1.1): made at site-a, one edited after
/// site-b's version, one joined from two concurrent versions.
pub(super) fn sample() -> (Vec<CanonicalRecord>, Vec<Deletion>) {
    use crate::model::History;
    let first = History::next("site-a", None, Some("2024-01-02T03:04:05Z"));
    let at_b = History::next("site-b", Some(&first), Some("2024-02-01T00:00:00Z"));
    let edited = History::next("site-a", Some(&at_b), Some("2024-03-01T00:00:00Z"));
    let joined = at_b.join(&History::next("site-c", None, None));
    let mut a = canonical("CVE-2024-0001", "requests", "Header injection");
    a.history = Some(first.clone());
    let mut b = canonical("PYSEC-2024-7", "flask", "Open redirect");
    b.history = Some(edited);
    let mut c = canonical("CVE-2024-0003", "django", "SQL injection \"quoted\" ü");
    c.history = Some(joined);
    let mut gone = deletion("CVE-2023-9999", "urllib3");
    gone.history = Some(History::next("site-a", Some(&first), None));
    let records = vec![
        CanonicalRecord {
            edges: vec![
                edge(&a, "ghsa", "GHSA-aaaa-bbbb-cccc"),
                edge(&a, "pypa", "PYSEC-2024-1"),
            ],
            canonical: a,
        },
        CanonicalRecord {
            edges: vec![],
            canonical: b,
        },
        CanonicalRecord {
            edges: vec![
                edge(&c, "nvd", "CVE-2024-0003"),
                edge(&c, "pypa", "PYSEC-2024-3"),
            ],
            canonical: c,
        },
    ];
    (records, vec![gone])
}

/// [`sample`] as a `feedser-bundle/1.0` bundle carries it: no histories.
pub(super) fn sample_1_0() -> (Vec<CanonicalRecord>, Vec<Deletion>) {
    let (mut records, mut deletions) = sample();
    records.iter_mut().for_each(|r| r.canonical.history = None);
    deletions.iter_mut().for_each(|d| d.history = None);
    (records, deletions)
}

pub(super) fn header() -> ExportHeader {
    ExportHeader {
        site_id: "site-a".into(),
        since_cursor: Some("2025-01-14T00:00:00.000Z#0007".parse().unwrap()),
        export_cursor: "2025-01-15T10:30:00.000Z#0042".parse().unwrap(),
        exported_at: "2025-01-15T10:30:00.000Z".into(),
    }
}

pub(super) fn spool_rows(
    dir: &std::path::Path,
    records: &[CanonicalRecord],
    deletions: &[Deletion],
    opts: &WriteOptions,
) -> [SpooledMember; 3] {
    let mut c = NdjsonSpool::new(Member::Canonicals, dir, opts).unwrap();
    let mut e = NdjsonSpool::new(Member::Edges, dir, opts).unwrap();
    let mut d = NdjsonSpool::new(Member::Deletions, dir, opts).unwrap();
    for r in records {
        c.push(&r.canonical).unwrap();
        r.edges.iter().for_each(|edge| e.push(edge).unwrap());
    }
    deletions.iter().for_each(|row| d.push(row).unwrap());
    [
        c.finish().unwrap(),
        e.finish().unwrap(),
        d.finish().unwrap(),
    ]
}

pub(super) fn build_with(
    records: &[CanonicalRecord],
    deletions: &[Deletion],
    signer: Option<&Signer>,
    opts: &WriteOptions,
) -> (Vec<u8>, Written) {
    let dir = tempfile::tempdir().unwrap();
    let members = spool_rows(dir.path(), records, deletions, opts);
    let mut out = Vec::new();
    let written = write_bundle(&mut out, &header(), members, signer, opts).unwrap();
    (out, written)
}

/// The sample, signed with the test key, default options.
pub(super) fn sample_bundle() -> Vec<u8> {
    let (records, deletions) = sample();
    build_with(
        &records,
        &deletions,
        Some(&test_signer()),
        &WriteOptions::default(),
    )
    .0
}

/// open → verify → every byte checked, no rows kept.
pub(super) fn validate(
    bytes: &[u8],
    trusted: &[TrustedPublicKey],
) -> Result<CheckedBundle, String> {
    let bundle = open(Box::new(bytes), &Limits::default()).map_err(|e| e.to_string())?;
    let verified = bundle.verify(trusted).map_err(|e| e.to_string())?;
    verified.check_bytes().map_err(|e| e.to_string())
}

/// The full path into a temp dir, reading every row back.
pub(super) fn read_all(
    bytes: &[u8],
    trusted: &[TrustedPublicKey],
) -> Result<(Vec<CanonicalRecord>, Vec<Deletion>, SpooledBundle), BundleError> {
    let dir = tempfile::tempdir().unwrap();
    let bundle = open(Box::new(bytes), &Limits::default())?;
    let spooled = bundle.verify(trusted)?.spool(dir.path())?;
    let records = spooled.records()?.collect::<Result<Vec<_>, _>>()?;
    let deletions = spooled.deletions()?.collect::<Result<Vec<_>, _>>()?;
    Ok((records, deletions, spooled))
}

pub(super) fn decompress(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    zstd::stream::read::Decoder::new(bytes)
        .unwrap()
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// `tar` cut into frames where the sample's frames are cut (see [`frames`])
/// and each compressed with the canonical parameters: the writer's layout
/// when `tar` is the sample's archive, and the same cuts when it is not.
pub(super) fn compress(tar: &[u8]) -> Vec<u8> {
    layout(tar, &sample_sizes())
}

/// The data sizes of the sample's five members.
pub(super) fn sample_sizes() -> Vec<u64> {
    members_of(&decompress(&sample_bundle()))
        .iter()
        .map(|(_, data)| data.len() as u64)
        .collect()
}

/// The frames of an archive whose members hold `sizes` bytes: the head (the
/// first two members whole), then per later member a joint (the padding
/// before it, its header) and a body (its bytes; no frame when empty), and
/// last the padding and whatever follows (the trailer), compressed.
pub(super) fn layout(tar: &[u8], sizes: &[u64]) -> Vec<u8> {
    layout_at(tar, sizes, WriteOptions::default().level)
}

/// [`layout`] at another level.
pub(super) fn layout_at(tar: &[u8], sizes: &[u64], level: i32) -> Vec<u8> {
    let block = tarfmt::BLOCK as u64;
    let whole = |size: u64| block + size + tarfmt::padding(size) as u64;
    let head: u64 = sizes.iter().take(2).map(|s| whole(*s)).sum();
    let mut cuts = vec![(0, head, false)];
    let mut at = head;
    for size in sizes.iter().skip(2) {
        let joint_start = cuts.last().map_or(0, |c| c.1);
        cuts.push((joint_start, at + block, false));
        cuts.push((at + block, at + block + size, true));
        at += whole(*size);
    }
    let tail_start = cuts.last().map_or(0, |c| c.1);
    cuts.push((tail_start, tar.len() as u64, false));
    let mut out = Vec::new();
    for (start, end, body) in cuts {
        let clip = |n: u64| usize::try_from(n).unwrap().min(tar.len());
        let part = &tar[clip(start)..clip(end).max(clip(start))];
        if !(body && part.is_empty()) {
            out.extend(frame::compress(part, level).unwrap());
        }
    }
    out
}

/// A ustar member with any name and type, otherwise canonical.
pub(super) fn raw_member(name: &[u8], kind: tar::EntryType, data: &[u8]) -> Vec<u8> {
    let mut h = tar::Header::new_ustar();
    h.as_old_mut()
        .name
        .iter_mut()
        .zip(name)
        .for_each(|(d, s)| *d = *s);
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_mtime(0);
    h.set_uid(0);
    h.set_gid(0);
    h.set_entry_type(kind);
    h.set_cksum();
    let mut out = h.as_bytes().to_vec();
    out.extend_from_slice(data);
    out.resize(out.len() + tarfmt::padding(data.len() as u64), 0);
    out
}

/// The members of a canonical archive, as (name, bytes).
pub(super) fn members_of(tar: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = tar::Archive::new(tar);
    let mut out = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = String::from_utf8(entry.path_bytes().to_vec()).unwrap();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        out.push((name, data));
    }
    out
}

/// Builds a compressed archive from members, with the trailer.
pub(super) fn assemble(members: &[(Vec<u8>, tar::EntryType, Vec<u8>)]) -> Vec<u8> {
    let mut tar: Vec<u8> = members
        .iter()
        .flat_map(|(n, k, d)| raw_member(n, *k, d))
        .collect();
    tar.extend_from_slice(&[0u8; tarfmt::TRAILER]);
    let sizes: Vec<u64> = members.iter().map(|(_, _, d)| d.len() as u64).collect();
    layout(&tar, &sizes)
}
