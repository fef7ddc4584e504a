//! Tests of reading and converting OSV records, on inline samples and on the
//! real PyPA snapshots in `../shared/fixtures/osv/`.

use std::io::Write;
use std::path::PathBuf;

use super::*;
use crate::model::{RangeEvent, Severity, Status, VersionRange};

fn shared_zip(date: &str) -> Option<PathBuf> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/osv");
    let path = PathBuf::from(format!("{dir}/PyPI-{date}.zip"));
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: {} is missing", path.display());
        None
    }
}

#[test]
fn every_record_of_the_real_snapshots_converts() {
    for (date, want_records, want_canonicals) in
        [("2023-01-01", 2214, 2214), ("2024-01-01", 2541, 2541), ("2024-10-10", 2661, 2661)]
    {
        let Some(zip) = shared_zip(date) else { return };
        let (mut records, mut canonicals, mut failures) = (0, 0, Vec::new());
        for item in read_inputs(&[zip], &mut std::io::empty()) {
            records += 1;
            match item.map_err(|e| e.to_string()).and_then(|r| convert(&r.bytes).map_err(|e| format!("{}: {e}", r.origin))) {
                Ok(c) => canonicals += c.len(),
                Err(e) => failures.push(e),
            }
        }
        eprintln!("{date}: {records} records {canonicals} canonicals");
        assert_eq!(failures, Vec::<String>::new());
        assert_eq!((records, canonicals), (want_records, want_canonicals), "{date}");
    }
}
