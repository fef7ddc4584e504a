//! `osv_parser`: the OSV stream splitter (`read_stream`) and the record
//! converter (`convert`) on raw bytes: the input is converted as one record,
//! then split as a stream and every value converted.
//!
//! Invariants checked: conversion is deterministic; every canonical's id
//! derives from its merge hash and carries exactly one edge to it; what
//! conversion yields, exported as a bundle, reads back unchanged (whatever
//! ingest accepts, a peer's import must accept too); the splitter never
//! yields more bytes than it was given.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stella::bundle::{ExportHeader, Limits, Member, NdjsonSpool, WriteOptions, write_bundle};
use stella::model::{CanonicalRecord, canonical_id};
use stella::osv::{convert, read_stream};
use stella::trust::SignaturePolicy;

fuzz_target!(|data: &[u8]| {
    check_convert(data);
    let mut input = data;
    let mut yielded = 0usize;
    for raw in read_stream(&mut input, "<fuzz>").flatten() {
        yielded += raw.bytes.len();
        check_convert(&raw.bytes);
    }
    assert!(yielded <= data.len(), "the splitter invented bytes");
});

fn check_convert(bytes: &[u8]) {
    let Ok(records) = convert(bytes) else {
        return;
    };
    for r in &records {
        let c = &r.canonical;
        assert_eq!(c.id, canonical_id(&c.merge_hash));
        assert_eq!(r.edges.len(), 1);
        assert_eq!(r.edges[0].canonical_id, c.id);
        assert_eq!(r.edges[0].merge_hash, c.merge_hash);
    }
    let again = convert(bytes).expect("the same bytes convert again");
    assert_eq!(again, records, "conversion is deterministic");
    assert_eq!(
        export_and_read(&records),
        records,
        "a bundle of them reads back"
    );
}

/// Writes `records` as an unsigned bundle and reads them back as an import does.
fn export_and_read(records: &[CanonicalRecord]) -> Vec<CanonicalRecord> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let opts = WriteOptions {
        level: 1,
        threads: 1,
        ..WriteOptions::default()
    };
    let spool = |m| NdjsonSpool::new(m, dir.path(), &opts).expect("a spool");
    let [mut c, mut e, d] = Member::ALL.map(spool);
    for r in records {
        c.push(&r.canonical).expect("spooled");
        r.edges
            .iter()
            .for_each(|edge| e.push(edge).expect("spooled"));
    }
    let members = [c, e, d].map(|s| s.finish().expect("spooled"));
    let header = ExportHeader {
        site_id: "site-fuzz".to_owned(),
        since_cursor: None,
        export_cursor: "2025-01-15T10:30:00.000Z#0042".parse().expect("a cursor"),
        exported_at: "2025-01-15T10:30:00.000Z".to_owned(),
    };
    let mut bundle = Vec::new();
    write_bundle(&mut bundle, &header, members, None, &opts).expect("the export is written");
    let read = dir.path().join("read");
    std::fs::create_dir(&read).expect("a directory");
    let optional = SignaturePolicy {
        require_signature: false,
        skip_on_trusted_sites: false,
    };
    let skip = optional.unsigned().expect("signatures are optional");
    let spooled = stella::bundle::open(Box::new(&bundle[..]), &Limits::default())
        .and_then(|b| b.skip_signature(skip).spool(&read))
        .expect("the export opens and spools");
    let rows = spooled.records().expect("records");
    rows.collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("refused on import: {e}"))
}
