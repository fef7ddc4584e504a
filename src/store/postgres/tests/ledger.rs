//! The ledger, events, taken digests and rollback of a dropped transaction.

use super::sites::new_site;
use super::*;
use crate::store::{
    CANONICAL_IMPORTED, EventAction, ImportCounts, LedgerEntry, NewEvent, StoreError,
};

pub(super) fn entry(site: &str, bundle: &str, seq: u64, items: u64) -> LedgerEntry {
    LedgerEntry {
        site_id: site.to_owned(),
        bundle_hash: bundle.to_owned(),
        manifest_sha256: format!("sha256:m-{bundle}"),
        since_cursor: (seq > 1).then(|| Cursor::new(1_000, seq - 1)),
        export_cursor: Cursor::new(2_000, seq),
        imported_at: format!("2025-02-0{seq}T00:00:00.000Z"),
        signer_key_id: Some("k1".to_owned()),
        signature_skipped: false,
        forced: seq == 2,
        counts: ImportCounts {
            canonical_created: 3,
            edges_added: 5,
            conflicts: seq,
            ..Default::default()
        },
        items,
        reason: None,
    }
}

pub(super) fn event(n: u8) -> NewEvent {
    let r = record(n, &[]);
    NewEvent {
        canonical_id: r.canonical.id,
        merge_hash: r.canonical.merge_hash,
        cve: r.canonical.cve,
        affects_key: r.canonical.affects_key,
        action: EventAction::Updated,
        source_site_id: "b".to_owned(),
        bundle_hash: "sha256:bundle".to_owned(),
        cursor: Cursor::new(7, u64::from(n)),
        imported_at: "2025-02-01T00:00:00.000Z".to_owned(),
    }
}

#[test]
fn record_import_writes_ledger_and_advances_the_site() {
    let db = test_db!();
    let mut store = db.store(&TestClock::at(0));
    store.add_site(&new_site("b")).unwrap();
    for (seq, items) in [(1, 10), (2, 4)] {
        let mut txn = store.begin().unwrap();
        txn.record_import(&entry("b", &format!("h{seq}"), seq, items))
            .unwrap();
        txn.commit().unwrap();
    }
    let site = store.site("b").unwrap().unwrap();
    assert_eq!(site.last_cursor, Some(Cursor::new(2_000, 2)));
    assert_eq!(
        site.last_sync_at.as_deref(),
        Some("2025-02-02T00:00:00.000Z")
    );
    assert_eq!((site.bundles_imported, site.items_imported), (2, 14));
    assert_eq!(
        store.history("b", 10).unwrap(),
        [entry("b", "h2", 2, 4), entry("b", "h1", 1, 10)]
    );
    assert_eq!(store.history("b", 1).unwrap(), [entry("b", "h2", 2, 4)]);
    assert!(matches!(
        store.history("c", 1),
        Err(StoreError::UnknownSite(_))
    ));
    assert_eq!(
        store.ledger_by_manifest("b", "sha256:m-h1").unwrap(),
        Some(entry("b", "h1", 1, 10))
    );
    assert_eq!(store.ledger_by_manifest("a", "sha256:m-h1").unwrap(), None);
    let mut txn = store.begin().unwrap();
    let err = txn.record_import(&entry("c", "h3", 3, 1)).unwrap_err();
    assert!(matches!(err, StoreError::UnknownSite(ref id) if id == "c"));
}

#[test]
fn events_are_numbered_and_paged_oldest_first() {
    let db = test_db!();
    let mut store = db.store(&TestClock::at(0));
    let mut txn = store.begin().unwrap();
    for n in 1..=3 {
        txn.append_event(&event(n)).unwrap();
    }
    txn.commit().unwrap();
    let all = store.events(0, 10).unwrap();
    assert_eq!(
        all.iter().map(|e| e.event_id).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(all[0].event_type, CANONICAL_IMPORTED);
    assert_eq!(all[2].event, event(3));
    let page: Vec<_> = store
        .events(1, 1)
        .unwrap()
        .into_iter()
        .map(|e| e.event_id)
        .collect();
    assert_eq!(page, [2]);
    assert!(store.events(3, 10).unwrap().is_empty());
}

#[test]
fn taken_digests_are_per_site_and_overwritten() {
    let db = test_db!();
    let mut store = db.store(&TestClock::at(0));
    store.add_site(&new_site("b")).unwrap();
    let mut txn = store.begin().unwrap();
    assert_eq!(txn.taken("b", "h").unwrap(), None);
    txn.set_taken("b", "h", "sha256:1").unwrap();
    txn.set_taken("b", "h", "sha256:2").unwrap();
    assert_eq!(txn.taken("b", "h").unwrap().as_deref(), Some("sha256:2"));
    let err = txn.set_taken("zz", "h", "sha256:1").unwrap_err();
    assert!(matches!(err, StoreError::UnknownSite(ref id) if id == "zz"));
}

#[test]
fn dropping_a_txn_rolls_everything_back() {
    let clock = TestClock::at(0);
    let db = test_db!();
    let mut store = db.store(&clock);
    store.add_site(&new_site("b")).unwrap();
    put(&mut store, &record(9, &[]));
    {
        let mut txn = store.begin().unwrap();
        txn.put(&record(1, &[("ghsa", "GHSA-a")])).unwrap();
        txn.delete(&deletion(9, "remote")).unwrap();
        txn.set_taken("b", "h", "sha256:1").unwrap();
        txn.record_import(&entry("b", "h1", 1, 10)).unwrap();
        txn.append_event(&event(1)).unwrap();
    }
    let after: Vec<i64> = [
        "canonicals",
        "edges",
        "tombstones",
        "feed",
        "taken",
        "ledger",
        "events",
    ]
    .map(|t| db.count("vuln", t))
    .to_vec();
    assert_eq!(after, [1, 0, 0, 1, 0, 0, 0]);
    let site = store.site("b").unwrap().unwrap();
    assert_eq!(
        (site.last_cursor, site.bundles_imported, site.items_imported),
        (None, 0, 0)
    );
    // The next change reuses the rolled-back feed position; event ids are
    // never reused (an identity column), so the next event skips the gap.
    assert_eq!(put(&mut store, &record(2, &[])), Cursor::new(0, 2));
    let mut txn = store.begin().unwrap();
    txn.append_event(&event(2)).unwrap();
    txn.commit().unwrap();
    let ids: Vec<u64> = store
        .events(0, 10)
        .unwrap()
        .iter()
        .map(|e| e.event_id)
        .collect();
    assert_eq!(ids, [2]);
}

#[test]
fn a_refused_set_taken_leaves_the_transaction_usable() {
    let db = test_db!();
    let mut store = db.store(&TestClock::at(0));
    store.add_site(&new_site("b")).unwrap();
    let mut txn = store.begin().unwrap();
    let err = txn.set_taken("zz", "h", "sha256:1").unwrap_err();
    assert!(matches!(err, StoreError::UnknownSite(ref id) if id == "zz"));
    let err = txn.record_import(&entry("zz", "h9", 1, 1)).unwrap_err();
    assert!(matches!(err, StoreError::UnknownSite(ref id) if id == "zz"));
    txn.set_taken("b", "h", "sha256:1").unwrap();
    txn.commit().unwrap();
    let mut txn = store.begin().unwrap();
    assert_eq!(txn.taken("b", "h").unwrap().as_deref(), Some("sha256:1"));
}

#[test]
fn conflicts_are_kept_per_bundle() {
    let db = test_db!();
    let mut store = db.store(&TestClock::at(0));
    let row = |field: &str| crate::store::ConflictRow {
        site_id: "b".to_owned(),
        merge_hash: merge_hash(1),
        field: field.to_owned(),
        local_value: "\"high\"".to_owned(),
        remote_value: "\"low\"".to_owned(),
        resolution: "prefer_remote".to_owned(),
        recorded_at: "2025-02-01T00:00:00.000Z".to_owned(),
    };
    let mut txn = store.begin().unwrap();
    txn.record_conflicts("sha256:bundle", &[row("severity"), row("title")])
        .unwrap();
    txn.commit().unwrap();
    let rows = db
        .client()
        .query(
            "SELECT bundle_hash, field, local_value, remote_value FROM vuln.conflicts \
             ORDER BY conflict_id",
            &[],
        )
        .unwrap();
    let got: Vec<(String, String, String, String)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    let want = |f: &str| {
        let q = |s: &str| format!("\"{s}\"");
        (
            "sha256:bundle".to_owned(),
            f.to_owned(),
            q("high"),
            q("low"),
        )
    };
    assert_eq!(got, [want("severity"), want("title")]);
}
