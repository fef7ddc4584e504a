//! Canonical JSON properties of the model rows: every `Canonical`,
//! `SourceEdge` and `Deletion` is one NDJSON line that parses back to itself
//! and re-serializes to the same bytes (the bundle reader insists on that),
//! and a record's digest is a pure function of its content.

use proptest::prelude::*;
use uuid::Uuid;

use super::*;

/// Text as sources write it: empty, plain, or any Unicode, including
/// newlines, quotes, backslashes and control characters.
pub(crate) fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z0-9 ._-]{1,16}",
        "[\"\\\\\n\r\t\u{0}\u{1f}\u{7f}\u{2028}é😀]{1,8}",
        any::<String>().prop_map(|s| s.chars().take(24).collect()),
    ]
}

pub(crate) fn arb_uuid() -> impl Strategy<Value = Uuid> {
    any::<[u8; 16]>().prop_map(Uuid::from_bytes)
}

fn arb_event() -> impl Strategy<Value = RangeEvent> {
    prop_oneof![
        arb_text().prop_map(RangeEvent::Introduced),
        arb_text().prop_map(RangeEvent::Fixed),
        arb_text().prop_map(RangeEvent::LastAffected),
        arb_text().prop_map(RangeEvent::Limit),
    ]
}

fn arb_range() -> impl Strategy<Value = VersionRange> {
    (
        arb_text(),
        proptest::option::of(arb_text()),
        proptest::collection::vec(arb_event(), 0..4),
    )
        .prop_map(|(range_type, repo, events)| VersionRange {
            range_type,
            repo,
            events,
        })
}

fn arb_severity() -> impl Strategy<Value = Severity> {
    use Severity::*;
    proptest::sample::select(vec![Critical, High, Medium, Low, None, Unknown])
}

pub(crate) fn arb_canonical() -> impl Strategy<Value = Canonical> {
    let texts = proptest::collection::vec(arb_text(), 5);
    let lists = proptest::collection::vec(proptest::collection::vec(arb_text(), 0..3), 2);
    let options = proptest::collection::vec(proptest::option::of(arb_text()), 3);
    let ranges = proptest::collection::vec(arb_range(), 0..3);
    (
        arb_uuid(),
        texts,
        lists,
        options,
        ranges,
        any::<bool>(),
        arb_severity(),
    )
        .prop_map(|(id, t, l, o, version_range, active, severity)| Canonical {
            history: None,
            id,
            cve: t[0].clone(),
            affects_key: t[1].clone(),
            merge_hash: t[2].clone(),
            status: if active {
                Status::Active
            } else {
                Status::Withdrawn
            },
            severity,
            title: t[3].clone(),
            summary: t[4].clone(),
            cvss_vector: o[0].clone(),
            version_range,
            weaknesses: l[0].clone(),
            patch_lineage: l[1].clone(),
            published: o[1].clone(),
            modified: o[2].clone(),
        })
}

pub(crate) fn arb_edge() -> impl Strategy<Value = SourceEdge> {
    (
        arb_uuid(),
        arb_uuid(),
        proptest::collection::vec(arb_text(), 5),
    )
        .prop_map(|(id, cid, t)| SourceEdge {
            id,
            canonical_id: cid,
            merge_hash: t[0].clone(),
            source: t[1].clone(),
            source_advisory_id: t[2].clone(),
            vendor_status: t[3].clone(),
            source_sha256: t[4].clone(),
        })
}

/// Any record, well-formed or not: serialization must not care.
pub(crate) fn arb_record() -> impl Strategy<Value = CanonicalRecord> {
    (arb_canonical(), proptest::collection::vec(arb_edge(), 0..3))
        .prop_map(|(canonical, edges)| CanonicalRecord { canonical, edges })
}

/// One NDJSON line: the compact JSON and `\n`, which must be its only newline.
fn ndjson_line<T: Serialize>(row: &T) -> Vec<u8> {
    let mut line = serde_json::to_vec(row).unwrap();
    line.push(b'\n');
    line
}

/// Parses one line back and checks it is the canonical spelling.
fn parse_line<T: serde::de::DeserializeOwned + Serialize>(line: &[u8]) -> T {
    let body = line.strip_suffix(b"\n").unwrap();
    assert!(!body.contains(&b'\n'), "a row spans lines");
    let row: T = serde_json::from_slice(body).unwrap();
    assert_eq!(serde_json::to_vec(&row).unwrap(), body, "not canonical");
    row
}

proptest! {
    #[test]
    fn rows_round_trip_through_one_canonical_ndjson_line(record in arb_record()) {
        let canonical: Canonical = parse_line(&ndjson_line(&record.canonical));
        prop_assert_eq!(&canonical, &record.canonical);
        for edge in &record.edges {
            let back: SourceEdge = parse_line(&ndjson_line(edge));
            prop_assert_eq!(&back, edge);
        }
    }

    #[test]
    fn deletions_round_trip_through_one_canonical_ndjson_line(
        id in arb_uuid(), t in proptest::collection::vec(arb_text(), 3)
    ) {
        let d = Deletion { history: None, canonical_id: id, merge_hash: t[0].clone(), deleted_at: t[1].clone(), reason: t[2].clone() };
        let back: Deletion = parse_line(&ndjson_line(&d));
        prop_assert_eq!(back, d);
    }

    #[test]
    fn digest_is_the_hash_of_the_json_and_survives_a_round_trip(record in arb_record()) {
        let digest = record.digest();
        prop_assert_eq!(&digest, &sha256_tagged(&serde_json::to_vec(&record).unwrap()));
        let back: CanonicalRecord = serde_json::from_slice(&serde_json::to_vec(&record).unwrap()).unwrap();
        prop_assert_eq!(&back, &record);
        prop_assert_eq!(back.digest(), digest);
    }

    #[test]
    fn digest_from_the_lines_is_the_records_digest(record in arb_record()) {
        let mut lines = RecordDigest::new(&serde_json::to_vec(&record.canonical).unwrap());
        for edge in &record.edges {
            lines.edge(&serde_json::to_vec(edge).unwrap());
        }
        prop_assert_eq!(lines.finish(), record.digest());
    }
}

/// Pins the serialization the three-way merge compares across versions: a
/// change here means every site sees every stored record as changed.
#[test]
fn digest_of_a_fixed_record_is_pinned() {
    let merge_hash = format!("sha256:{}", "ab".repeat(32));
    let id = canonical_id(&merge_hash);
    let canonical = Canonical {
        history: None,
        id,
        cve: "CVE-2024-0001".into(),
        affects_key: "pkg:pypi/requests".into(),
        merge_hash: merge_hash.clone(),
        status: Status::Active,
        severity: Severity::High,
        title: "Header \"injection\"\n".into(),
        summary: "ü".into(),
        cvss_vector: None,
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
        published: Some("2024-01-02T03:04:05.000Z".into()),
        modified: None,
    };
    let edges = vec![SourceEdge {
        id: edge_id(&id, "pypa", "PYSEC-2024-1"),
        canonical_id: id,
        merge_hash,
        source: "pypa".into(),
        source_advisory_id: "PYSEC-2024-1".into(),
        vendor_status: "affected".into(),
        source_sha256: format!("sha256:{}", "cd".repeat(32)),
    }];
    let record = CanonicalRecord { canonical, edges };
    assert_eq!(
        record.digest(),
        "sha256:4536399eb6669a1b54d5a160bebe00933e7b0138ca747ef30bb0470140404b8d"
    );
}
