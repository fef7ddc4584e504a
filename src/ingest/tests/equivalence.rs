//! The one-write-per-canonical path (`fresh`) against the per-record path
//! (`per_record`), each into an empty SQLite store: the same report
//! (counts, refusals, `prune_skipped`) and the same stored canonicals
//! (fields, status, edges, histories) and tombstones, feed positions aside.
//! Inputs: the shipped samples and the shared real histories read in one
//! run (repeats, renames, new merge hashes, withdrawals), and small cases
//! for each rule: superseded and re-created, several sources on one
//! canonical, withdrawals, refusals, `--prune` with and without an id-less
//! refusal.

use std::path::PathBuf;

use super::{opts, osv};
use crate::ingest::{IngestOptions, IngestReport, ingest, per_record};
use crate::model::{CanonicalRecord, Deletion};
use crate::osv::{self as osv_in, RawRecord};
use crate::progress::NoProgress;
use crate::store::sqlite::SqliteStore;
use crate::store::{ExportRow, Store};

type Input = Vec<Result<RawRecord, osv_in::InputError>>;

/// Makes the input afresh for each run (an input error is not `Clone`).
type MakeInput<'a> = &'a dyn Fn() -> Input;

/// What a run leaves: its report, the live canonicals and the tombstones.
#[derive(Debug, PartialEq)]
struct Outcome {
    report: IngestReport,
    canonicals: Vec<CanonicalRecord>,
    tombstones: Vec<Deletion>,
}

fn run(input: MakeInput, opts: &IngestOptions, fresh: bool) -> Outcome {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let report = {
        let mut txn = store.begin().unwrap();
        let records = input().into_iter();
        let report = if fresh {
            assert!(
                txn.bulk_load().unwrap(),
                "an empty store takes the bulk load"
            );
            ingest(txn.as_mut(), records, opts, &NoProgress)
        } else {
            per_record(txn.as_mut(), records, opts, &NoProgress)
        };
        let report = report.unwrap();
        txn.commit().unwrap();
        report
    };
    let (mut canonicals, mut tombstones) = (vec![], vec![]);
    store
        .export_rows(None, u64::MAX, &mut |row| {
            match row {
                ExportRow::Canonical(_, record) => canonicals.push(record),
                ExportRow::Deletion(_, deletion) => tombstones.push(deletion),
            }
            Ok(())
        })
        .unwrap();
    canonicals.sort_by(|a, b| a.canonical.merge_hash.cmp(&b.canonical.merge_hash));
    tombstones.sort_by(|a, b| a.merge_hash.cmp(&b.merge_hash));
    Outcome {
        report,
        canonicals,
        tombstones,
    }
}

/// Both paths on `input`, with and without `--prune`; the outcome of the
/// per-record path with prune, for the caller's own checks.
fn both(input: MakeInput) -> Outcome {
    let mut last = None;
    for prune in [false, true] {
        let old = run(input, &opts(prune), false);
        let new = run(input, &opts(prune), true);
        assert_eq!(new.report, old.report, "report, prune {prune}");
        assert_eq!(new.tombstones, old.tombstones, "tombstones, prune {prune}");
        assert_eq!(new.canonicals.len(), old.canonicals.len());
        for (n, o) in new.canonicals.iter().zip(&old.canonicals) {
            assert_eq!(n, o, "canonical {}", o.canonical.merge_hash);
        }
        last = Some(old);
    }
    last.unwrap()
}

fn read(paths: &[PathBuf]) -> Input {
    osv_in::read_inputs(paths, &mut std::io::empty()).collect()
}

fn shared(names: &[&str]) -> Option<Vec<PathBuf>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/osv");
    let paths: Vec<PathBuf> = names.iter().map(|n| format!("{dir}/{n}").into()).collect();
    if let Some(missing) = paths.iter().find(|p| !p.exists()) {
        eprintln!("skipped: {} is missing", missing.display());
        return None;
    }
    Some(paths)
}

#[test]
fn the_shipped_samples_read_as_one_history() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/osv");
    let names = [
        "pypi-2024-01-01",
        "pypi-2024-10-10",
        "pypi-2024-10-10",
        "bitnami-2025-01-01",
        "bitnami-2026-06-01",
        "distro",
        "ecosystems",
    ];
    let paths: Vec<PathBuf> = names.iter().map(|n| format!("{dir}/{n}").into()).collect();
    let outcome = both(&|| read(&paths));
    let r = &outcome.report;
    assert!(r.records_unchanged > 0 && r.canonical_deleted > 0 && r.canonical_withdrawn > 0);
}

#[test]
fn the_real_pypi_history_read_in_one_run() {
    let names = [
        "PyPI-2023-01-01.zip",
        "PyPI-2024-01-01.zip",
        "PyPI-2024-10-10.zip",
    ];
    let Some(paths) = shared(&names) else {
        return;
    };
    let outcome = both(&|| read(&paths));
    let r = &outcome.report;
    assert_eq!((r.records_read, r.records_refused), (7416, 0));
    assert!(r.records_unchanged > 4000 && r.canonical_deleted > 0 && r.canonical_withdrawn > 0);
}

#[test]
fn the_real_bitnami_and_pypi_snapshots_read_in_one_run() {
    let Some(paths) = shared(&[
        "Bitnami-2025-01-01.zip",
        "PyPI-2024-10-10.zip",
        "Bitnami-2026-06-01.zip",
    ]) else {
        return;
    };
    let outcome = both(&|| read(&paths));
    assert_eq!(outcome.report.records_read, 4288 + 2661 + 6886);
}

const WITHDRAWN: &str = r#","withdrawn":"2024-02-01T00:00:00Z""#;

fn ok(records: Vec<RawRecord>) -> Input {
    records.into_iter().map(Ok).collect()
}

#[test]
fn a_record_that_moves_and_moves_back_is_superseded_then_recreated() {
    let outcome = both(&|| {
        ok(vec![
            osv("PYSEC-1", "CVE-2024-0001", "1.0", ""),
            osv("PYSEC-1", "CVE-2024-0002", "1.0", ""),
            osv("PYSEC-1", "CVE-2024-0001", "1.0", r#","summary":"back""#),
            osv("PYSEC-2", "CVE-2024-0009", "1.0", ""),
            osv("PYSEC-2", "CVE-2024-0008", "1.0", ""),
        ])
    });
    let r = &outcome.report;
    let counts = [r.records_ingested, r.canonical_created, r.canonical_deleted];
    assert_eq!(counts, [5, 5, 3]);
    assert_eq!((outcome.canonicals.len(), outcome.tombstones.len()), (2, 2));
    let back = outcome
        .canonicals
        .iter()
        .find(|c| c.canonical.cve == "CVE-2024-0001")
        .unwrap();
    let history = back.canonical.history.as_ref().unwrap();
    assert_eq!(
        history.lamport, 3,
        "a re-created canonical follows its tombstone"
    );
}

#[test]
fn several_sources_on_one_canonical_withdraw_leave_and_repeat() {
    let outcome = both(&|| {
        ok(vec![
            osv("PYSEC-1", "CVE-2024-0001", "1.0", ""),
            osv("GHSA-1", "CVE-2024-0001", "1.0", ""),
            osv("OSV-1", "CVE-2024-0001", "1.0", WITHDRAWN),
            // Unchanged: the canonical keeps OSV-1's fields.
            osv("PYSEC-1", "CVE-2024-0001", "1.0", ""),
            osv("PYSEC-1", "CVE-2024-0001", "1.0", WITHDRAWN),
            osv("GHSA-1", "CVE-2024-0001", "1.0", WITHDRAWN),
            // GHSA-1 leaves: its edge is dropped, the canonical stays.
            osv("GHSA-1", "CVE-2024-0005", "1.0", ""),
            osv("PYSEC-3", "CVE-2024-0003", "1.0", WITHDRAWN),
        ])
    });
    let r = &outcome.report;
    assert_eq!([r.records_ingested, r.records_unchanged], [7, 1]);
    assert_eq!([r.canonical_withdrawn, r.canonical_deleted], [1, 0]);
    let shared = outcome
        .canonicals
        .iter()
        .find(|c| c.canonical.cve == "CVE-2024-0001")
        .unwrap();
    assert_eq!(shared.edges.len(), 2);
}

#[test]
fn refusals_and_prune_come_out_the_same() {
    let input = |anonymous: bool| {
        let mut input = ok(vec![
            osv("PYSEC-1", "CVE-2024-0001", "1.0", ""),
            RawRecord {
                origin: "a.json".into(),
                bytes: br#"{"id":"PYSEC-2","affected":[]}"#.to_vec(),
            },
            RawRecord {
                origin: "b.json".into(),
                bytes: br#"{"id":"PYSEC-3","affected":"x"}"#.to_vec(),
            },
            osv("PYSEC-1", "CVE-2024-0002", "1.0", ""),
        ]);
        if anonymous {
            input.push(Ok(RawRecord {
                origin: "c.json".into(),
                bytes: br#"{"id":"PYSEC-4","#.to_vec(),
            }));
            input.push(Err(osv_in::InputError::Malformed {
                origin: "<stdin>#1".into(),
                detail: "found `1`".into(),
            }));
        }
        input
    };
    let named = both(&|| input(false));
    assert_eq!(named.report.records_refused, 2);
    assert!(!named.report.prune_skipped);
    let anonymous = both(&|| input(true));
    assert_eq!(anonymous.report.records_refused, 4);
    assert!(anonymous.report.prune_skipped);
}
