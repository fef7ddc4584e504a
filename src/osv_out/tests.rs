use std::path::Path;

use super::part::{Part, encode};
use super::record::{self, Built};
use crate::cursor::Cursor;
use crate::model::CanonicalRecord;

/// The encoded part of a whole canonical, its edges' ids its record's ids.
pub(super) fn part_of(cursor: Cursor, r: &CanonicalRecord) -> Vec<u8> {
    let ids: Vec<&str> = r
        .edges
        .iter()
        .map(|e| e.source_advisory_id.as_str())
        .collect();
    let mut bytes = Vec::new();
    encode(cursor, &r.canonical, &ids, &mut bytes);
    bytes
}

/// The record of `id` from whole canonicals, through their parts.
fn build(id: &str, members: &[&(Cursor, CanonicalRecord)]) -> Built {
    let encoded: Vec<Vec<u8>> = members.iter().map(|(c, r)| part_of(*c, r)).collect();
    let parts: Vec<Part> = encoded.iter().map(|b| Part::decode(b).unwrap()).collect();
    record::build(id, &parts)
}

/// Every record of the shipped PyPA sample, converted, exported and
/// converted again, gives back the same canonicals, merge hashes included:
/// all but each edge's `source_sha256` (the exported bytes differ from the
/// upstream ones).
#[test]
fn shipped_sample_round_trips_through_the_record() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/osv/pypi-2024-10-10");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 24);
    for file in files {
        let original = crate::osv::convert(&std::fs::read(&file).unwrap()).unwrap();
        let id = original[0].edges[0].source_advisory_id.clone();
        let rows: Vec<(Cursor, CanonicalRecord)> = original
            .iter()
            .map(|r| (Cursor::origin(), r.clone()))
            .collect();
        let members: Vec<&(Cursor, CanonicalRecord)> = rows.iter().collect();
        let built = build(&id, &members);
        assert_eq!(built.ecosystems, ["PyPI"], "{id}");
        let again = crate::osv::convert(&built.json).unwrap();
        assert_eq!(bare(&again), bare(&original), "{id}");
    }
}

fn bare(records: &[CanonicalRecord]) -> Vec<CanonicalRecord> {
    records
        .iter()
        .map(|r| {
            let mut r = r.clone();
            for edge in &mut r.edges {
                edge.source_sha256.clear();
            }
            r
        })
        .collect()
}

/// The same canonicals always give the same bytes, whatever their order.
#[test]
fn a_record_is_deterministic() {
    let raw = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/osv/pypi-2024-10-10/PYSEC-2024-100.json"),
    )
    .unwrap();
    let records = crate::osv::convert(&raw).unwrap();
    let rows: Vec<(Cursor, CanonicalRecord)> =
        records.into_iter().map(|r| (Cursor::origin(), r)).collect();
    let forward: Vec<_> = rows.iter().collect();
    let mut backward = forward.clone();
    backward.reverse();
    let a = build("PYSEC-2024-100", &forward).json;
    assert_eq!(a, build("PYSEC-2024-100", &forward).json);
    assert!(
        String::from_utf8(a)
            .unwrap()
            .starts_with("{\"schema_version\":\"1.6.0\",\"id\":\"PYSEC-2024-100\",\"modified\":")
    );
}

#[test]
fn unsafe_ids_name_no_file() {
    for id in ["..", ".hidden", "a/b", "a\\b", "", "a b"] {
        assert!(!super::safe_file_name(id), "{id:?}");
    }
    for id in [
        "PYSEC-2024-1",
        "GHSA-aaaa-bbbb-cccc",
        "openSUSE-SU-2024:1-1",
    ] {
        assert!(super::safe_file_name(id), "{id:?}");
    }
}
