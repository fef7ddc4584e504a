//! Ingest semantics on an in-memory store: unit cases on small records
//! here, whole snapshot histories in `snapshots`.

use crate::progress::NoProgress;

use super::fake::FakeTxn;
use super::*;
use crate::model::Status;

mod equivalence;
mod snapshots;

const NOW: &str = "2025-01-15T10:30:00.000Z";

fn opts(prune: bool) -> IngestOptions {
    IngestOptions {
        prune,
        now: NOW.into(),
        site_id: "site-a".into(),
        source: None,
        scratch_dir: std::env::temp_dir(),
    }
}

fn osv(id: &str, cve: &str, fixed: &str, extra: &str) -> RawRecord {
    let text = format!(
        r#"{{"id":"{id}","aliases":["{cve}"],"modified":"2024-01-01T00:00:00Z"{extra},
        "affected":[{{"package":{{"ecosystem":"PyPI","name":"demo"}},
        "ranges":[{{"type":"ECOSYSTEM","events":[{{"introduced":"0"}},{{"fixed":"{fixed}"}}]}}]}}]}}"#
    );
    RawRecord {
        origin: format!("{id}.json"),
        bytes: text.into_bytes(),
    }
}

fn run(txn: &mut FakeTxn, records: Vec<RawRecord>, prune: bool) -> IngestReport {
    ingest(txn, records.into_iter().map(Ok), &opts(prune), &NoProgress).unwrap()
}

fn counts(r: &IngestReport) -> [u64; 7] {
    [
        r.records_read,
        r.records_unchanged,
        r.canonical_created,
        r.canonical_updated,
        r.canonical_withdrawn,
        r.canonical_deleted,
        r.canonical_pruned,
    ]
}

#[test]
fn same_snapshot_twice_changes_nothing() {
    let mut txn = FakeTxn::default();
    let snapshot = vec![
        osv("PYSEC-1", "CVE-2024-0011", "1.0", ""),
        osv("GHSA-x", "CVE-2024-0012", "2.0", ""),
    ];
    assert_eq!(
        counts(&run(&mut txn, snapshot.clone(), true)),
        [2, 0, 2, 0, 0, 0, 0]
    );
    let feed = txn.feed;
    assert_eq!(
        counts(&run(&mut txn, snapshot, true)),
        [2, 2, 0, 0, 0, 0, 0]
    );
    assert_eq!(txn.feed, feed);
}

#[test]
fn changed_withdrawn_and_superseded_records() {
    let mut txn = FakeTxn::default();
    let first = vec![
        osv("PYSEC-1", "CVE-2024-0001", "1.0", ""),
        osv("PYSEC-2", "CVE-2024-0002", "2.0", ""),
        osv("PYSEC-3", "CVE-2024-0003", "3.0", ""),
    ];
    run(&mut txn, first, false);
    let old_hash = txn
        .canonicals
        .values()
        .find(|c| c.canonical.cve == "CVE-2024-0003")
        .unwrap()
        .canonical
        .merge_hash
        .clone();
    let second = vec![
        osv(
            "PYSEC-1",
            "CVE-2024-0001",
            "1.0",
            r#","summary":"new title""#,
        ),
        osv(
            "PYSEC-2",
            "CVE-2024-0002",
            "2.0",
            r#","withdrawn":"2024-02-01T00:00:00Z""#,
        ),
        osv("PYSEC-3", "CVE-2024-0003", "3.1", ""),
    ];
    assert_eq!(counts(&run(&mut txn, second, false)), [3, 0, 1, 1, 1, 1, 0]);
    let by_cve = |cve: &str| {
        txn.canonicals
            .values()
            .find(|c| c.canonical.cve == cve)
            .unwrap()
            .clone()
    };
    assert_eq!(by_cve("CVE-2024-0001").canonical.title, "new title");
    assert_eq!(by_cve("CVE-2024-0002").canonical.status, Status::Withdrawn);
    assert_eq!(by_cve("CVE-2024-0002").edges[0].vendor_status, "withdrawn");
    let tomb = &txn.tombstones[&old_hash];
    assert_eq!(
        (tomb.reason.as_str(), tomb.deleted_at.as_str()),
        ("superseded", NOW)
    );
}

#[test]
fn edges_of_two_sources_merge_and_withdraw_together() {
    let mut txn = FakeTxn::default();
    let withdrawn = r#","withdrawn":"2024-02-01T00:00:00Z""#;
    run(
        &mut txn,
        vec![
            osv("PYSEC-1", "CVE-2024-0001", "1.0", ""),
            osv("GHSA-1", "CVE-2024-0001", "1.0", ""),
        ],
        false,
    );
    assert_eq!(txn.canonicals.len(), 1);
    let rec = txn.canonicals.values().next().unwrap().clone();
    let sources: Vec<_> = rec
        .edges
        .iter()
        .map(|e| (e.source.as_str(), e.source_advisory_id.as_str()))
        .collect();
    assert_eq!(sources, [("ghsa", "GHSA-1"), ("pypa", "PYSEC-1")]);
    let report = run(
        &mut txn,
        vec![osv("PYSEC-1", "CVE-2024-0001", "1.0", withdrawn)],
        false,
    );
    assert_eq!(counts(&report), [1, 0, 0, 1, 0, 0, 0]);
    assert_eq!(
        txn.canonicals.values().next().unwrap().canonical.status,
        Status::Active
    );
    let report = run(
        &mut txn,
        vec![osv("GHSA-1", "CVE-2024-0001", "1.0", withdrawn)],
        false,
    );
    assert_eq!(counts(&report), [1, 0, 0, 0, 1, 0, 0]);
}

#[test]
fn prune_drops_unseen_records_of_seen_sources_only() {
    let mut txn = FakeTxn::default();
    let all = vec![
        osv("PYSEC-1", "CVE-2024-0001", "1.0", ""),
        osv("PYSEC-2", "CVE-2024-0002", "1.0", ""),
        osv("GHSA-1", "CVE-2024-0003", "1.0", ""),
    ];
    run(&mut txn, all, false);
    let report = run(
        &mut txn,
        vec![osv("PYSEC-1", "CVE-2024-0001", "1.0", "")],
        true,
    );
    assert_eq!(counts(&report), [1, 1, 0, 0, 0, 0, 1]);
    let mut left: Vec<_> = txn
        .canonicals
        .values()
        .map(|c| c.canonical.cve.as_str())
        .collect();
    left.sort();
    assert_eq!(left, ["CVE-2024-0001", "CVE-2024-0003"]);
    assert!(txn.tombstones.values().all(|t| t.reason == "pruned"));
}

#[test]
fn failures_are_reported_and_the_run_goes_on() {
    let mut txn = FakeTxn::default();
    run(
        &mut txn,
        vec![osv("PYSEC-2", "CVE-2024-0002", "1.0", "")],
        false,
    );
    let bad_id = RawRecord {
        origin: "a.json".into(),
        bytes: br#"{"id":"PYSEC-2","affected":[]}"#.to_vec(),
    };
    let items = vec![Ok(bad_id), Ok(osv("PYSEC-1", "CVE-2024-0001", "1.0", ""))];
    let report = ingest(&mut txn, items.into_iter(), &opts(true), &NoProgress).unwrap();
    assert_eq!(counts(&report), [2, 0, 1, 0, 0, 0, 0]);
    assert_eq!(
        report.refusals,
        vec![Refusals {
            reason: "no affected package: nothing to ingest",
            count: 1,
            records: vec![RecordFailure {
                origin: "a.json".into(),
                id: Some("PYSEC-2".into()),
                message: "record `PYSEC-2` lists no affected package: nothing to ingest".into(),
                detail: None,
            }],
        }]
    );
    let totals = [
        report.records_ingested,
        report.records_unchanged,
        report.records_refused,
    ];
    assert_eq!(totals, [1, 0, 1]);
    assert!(
        !report.prune_skipped,
        "a failure with an id keeps that record from pruning"
    );
    let no_id = InputError::Malformed {
        origin: "<stdin>#1".into(),
        detail: "found `1`".into(),
    };
    let report = ingest(
        &mut txn,
        vec![Err(no_id)].into_iter(),
        &opts(true),
        &NoProgress,
    )
    .unwrap();
    assert!(report.prune_skipped);
    assert_eq!((report.canonical_pruned, txn.canonicals.len()), (0, 2));
}

fn many(n: u32) -> Vec<RawRecord> {
    (0..n)
        .map(|i| {
            osv(
                &format!("PYSEC-{i}"),
                &format!("CVE-2024-{}", 10000 + i),
                "1.0",
                "",
            )
        })
        .collect()
}

/// The fresh path (folding on a thread beside the puts) on a store that
/// takes the bulk load: the same canonicals and report as record by record.
#[test]
fn fresh_path_stores_what_the_per_record_path_stores() {
    let mut fresh = FakeTxn::default();
    fresh.bulk = true;
    let mut plain = FakeTxn::default();
    let a = run(&mut fresh, many(1500), false);
    let b = run(&mut plain, many(1500), false);
    assert_eq!(counts(&a), [1500, 0, 1500, 0, 0, 0, 0]);
    assert_eq!(counts(&a), counts(&b));
    assert_eq!(fresh.canonicals, plain.canonicals);
    assert_eq!(fresh.feed, 1500);
}

/// A put that fails mid-way (several batches still to come from the
/// folding thread): the ingest ends with the store's own error, no later
/// put is made, and nothing waits for ever.
#[test]
fn a_failing_put_ends_a_fresh_ingest_with_the_store_error() {
    let mut txn = FakeTxn::default();
    (txn.bulk, txn.puts_before_failing) = (true, Some(300));
    let records = many(2000).into_iter().map(Ok);
    let err = ingest(&mut txn, records, &opts(false), &NoProgress).unwrap_err();
    assert_eq!(err.to_string(), "disk full");
    assert_eq!((txn.feed, txn.canonicals.len()), (300, 300));
}
