//! Issue #29: ingesting the exported OSV at a fresh site gives the same
//! canonical set, merge hashes included, on real histories.

use std::path::PathBuf;

use super::{export, ingest};
use crate::harness::{Backend, Site, assert_same, fixture, shared_osv};

/// The canonical set, histories aside and each edge's `source_sha256`
/// blanked: the digest of the bytes a site ingested, which an exported
/// record cannot reproduce (see `man/stella-osv-export.5`).
fn canonical_set(site: &Site) -> Vec<String> {
    site.contents()
        .iter()
        .map(|line| {
            let mut row: serde_json::Value = serde_json::from_str(line).unwrap();
            for edge in row["edges"].as_array_mut().unwrap() {
                edge["source_sha256"] = "".into();
            }
            row.to_string()
        })
        .collect()
}

/// Ingests `history` in order at a fresh site, exports it as OSV, ingests
/// the top-level `all.zip` at another fresh site: the same canonicals.
/// Every record is valid against the OSV schema.
fn round_trip(store: Backend, history: &[PathBuf], records: u64) {
    let a = Site::on(store, "site-a");
    for snapshot in history {
        ingest(&a, snapshot);
    }
    let dir = a.path("osv");
    let report = export(&a, &dir, &[]);
    assert_eq!(report["counts"]["records"], records);
    assert_eq!(report["skipped"], serde_json::json!([]));
    assert_eq!(
        super::schema::validate_zip(&dir.join("all.zip")) as u64,
        records
    );
    let b = Site::on(store, "site-b");
    let read = b
        .cmd(&[
            "feedser",
            "ingest",
            "osv",
            dir.join("all.zip").to_str().unwrap(),
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(read["counts"]["records_read"], records);
    assert_eq!(read["refusals"], serde_json::json!([]));
    assert_same(
        &canonical_set(&a),
        &canonical_set(&b),
        "after the OSV round trip",
    );
    assert!(!canonical_set(&a).is_empty());
}

pub fn shipped_history_round_trips(store: Backend) {
    let history = [
        fixture("osv/pypi-2024-01-01"),
        fixture("osv/pypi-2024-10-10"),
    ];
    round_trip(store, &history, 24);
}

pub fn real_pypa_history_round_trips(store: Backend) {
    let names = [
        "PyPI-2023-01-01.zip",
        "PyPI-2024-01-01.zip",
        "PyPI-2024-10-10.zip",
    ];
    let Some(history) = names
        .iter()
        .map(|n| shared_osv(n))
        .collect::<Option<Vec<_>>>()
    else {
        return;
    };
    round_trip(store, &history, 2661);
}

pub fn real_bitnami_history_round_trips(store: Backend) {
    let names = ["Bitnami-2025-01-01.zip", "Bitnami-2026-06-01.zip"];
    let Some(history) = names
        .iter()
        .map(|n| shared_osv(n))
        .collect::<Option<Vec<_>>>()
    else {
        return;
    };
    round_trip(store, &history, 6886);
}
