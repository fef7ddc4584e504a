//! Whole snapshot histories on the in-memory store: the real PyPA
//! snapshots 2023 → 2024-01 → 2024-10 (when `../shared` is present) and
//! the quick-start sample of `fixtures/osv/`.

use std::path::PathBuf;

use super::super::fake::FakeTxn;
use super::{counts, opts};
use crate::ingest::ingest;
use crate::osv;
use crate::progress::NoProgress;

fn snapshot(date: &str) -> Option<PathBuf> {
    let path = PathBuf::from(format!(
        "{}/PyPI-{date}.zip",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/osv")
    ));
    if path.exists() {
        return Some(path);
    }
    eprintln!("skipped: {} is missing", path.display());
    None
}

#[test]
fn real_snapshot_history() {
    let mut txn = FakeTxn::default();
    let (mut got, mut wants) = (vec![], vec![]);
    for (date, want) in [
        // One canonical has two PYSEC edges (a CVE filed twice), hence 2213 + 1.
        ("2023-01-01", [2214, 0, 2213, 1, 0, 0, 0]),
        // 354 added (27 are renames of `PYSEC-0000-CVE-…` ids onto the same
        // canonical: 27 joins + 27 pruned edges are updates, not deletions),
        // 17 changed: 11 updated, 2 withdrawn, 4 with a new merge hash.
        ("2024-01-01", [2541, 2170, 331, 65, 2, 4, 0]),
        ("2024-01-01", [2541, 2541, 0, 0, 0, 0, 0]),
        // 120 added, 17 changed: 14 updated, 1 withdrawn, 2 with a new merge hash.
        ("2024-10-10", [2661, 2524, 122, 14, 1, 2, 0]),
    ] {
        let Some(zip) = snapshot(date) else { return };
        let report = ingest(
            &mut txn,
            osv::read_inputs(&[zip], &mut std::io::empty()),
            &opts(true),
            &NoProgress,
        )
        .unwrap();
        assert_eq!(report.refusals, vec![]);
        got.push(counts(&report));
        wants.push(want);
    }
    assert_eq!(got, wants);
    assert_eq!((txn.canonicals.len(), txn.tombstones.len()), (2660, 6));
}

/// The quick-start sample of `fixtures/osv/` (see its README for the picks).
#[test]
fn shipped_sample_history() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/osv");
    let mut txn = FakeTxn::default();
    let mut got = vec![];
    for snapshot in ["pypi-2024-01-01", "pypi-2024-10-10", "pypi-2024-10-10"] {
        let path = PathBuf::from(format!("{dir}/{snapshot}"));
        let report = ingest(
            &mut txn,
            osv::read_inputs(&[path], &mut std::io::empty()),
            &opts(true),
            &NoProgress,
        )
        .unwrap();
        assert_eq!(report.refusals, vec![]);
        got.push(counts(&report));
    }
    // 21 records, one CVE filed twice; then 3 new, 7 changed (4 updated,
    // 1 withdrawn, 2 with a new merge hash: 2 created + 2 superseded).
    let want = [
        [21, 0, 20, 1, 0, 0, 0],
        [24, 14, 5, 4, 1, 2, 0],
        [24, 24, 0, 0, 0, 0, 0],
    ];
    assert_eq!(got, want);
}
