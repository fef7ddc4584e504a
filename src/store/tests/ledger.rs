//! The ledger, events, taken digests, conflicts and rollback of a dropped
//! transaction.

use super::harness::store_suite;
use super::{Harness, delete, deletion, entry, merge_hash, new_site, put, record};
use crate::cursor::Cursor;
use crate::store::{CANONICAL_IMPORTED, ConflictRow, EventAction, NewEvent, StoreError};

store_suite!(
    record_import_writes_ledger_and_advances_the_site,
    events_are_numbered_and_paged_oldest_first,
    taken_digests_are_per_site_and_overwritten,
    a_refused_set_taken_leaves_the_transaction_usable,
    dropping_a_txn_rolls_everything_back,
    conflicts_are_kept_per_bundle,
    a_bulk_load_is_offered_only_while_the_store_holds_nothing,
    a_merge_base_alone_declines_a_bulk_load,
);

/// An `Updated` event for record `n`.
pub fn event(n: u8) -> NewEvent {
    let r = record(n, &[]);
    NewEvent {
        canonical_id: r.canonical.id,
        merge_hash: r.canonical.merge_hash,
        cve: r.canonical.cve,
        affects_key: r.canonical.affects_key,
        action: EventAction::Updated,
        site_id: "b".to_owned(),
        bundle_hash: "sha256:bundle".to_owned(),
        cursor: Cursor::new(7, u64::from(n)),
        imported_at: "2025-02-01T00:00:00Z".to_owned(),
    }
}

fn record_import_writes_ledger_and_advances_the_site(h: &mut Harness) {
    let store = &mut *h.store;
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

fn events_are_numbered_and_paged_oldest_first(h: &mut Harness) {
    let mut txn = h.store.begin().unwrap();
    for n in 1..=3 {
        txn.append_event(&event(n)).unwrap();
    }
    txn.commit().unwrap();
    let all = h.store.events(0, 10).unwrap();
    let ids: Vec<_> = all.iter().map(|e| e.event_id).collect();
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(all[0].event_type, CANONICAL_IMPORTED);
    assert_eq!(all[2].event, event(3));
    let page: Vec<_> = h.store.events(1, 1).unwrap();
    assert_eq!(page.iter().map(|e| e.event_id).collect::<Vec<_>>(), [2]);
    assert!(h.store.events(3, 10).unwrap().is_empty());
}

fn taken_digests_are_per_site_and_overwritten(h: &mut Harness) {
    h.store.add_site(&new_site("b")).unwrap();
    let mut txn = h.store.begin().unwrap();
    assert_eq!(txn.taken("b", "h").unwrap(), None);
    txn.set_taken("b", "h", "sha256:1").unwrap();
    txn.set_taken("b", "h", "sha256:2").unwrap();
    assert_eq!(txn.taken("b", "h").unwrap().as_deref(), Some("sha256:2"));
    let err = txn.set_taken("zz", "h", "sha256:1").unwrap_err();
    assert!(matches!(err, StoreError::UnknownSite(ref id) if id == "zz"));
}

fn a_refused_set_taken_leaves_the_transaction_usable(h: &mut Harness) {
    h.store.add_site(&new_site("b")).unwrap();
    let mut txn = h.store.begin().unwrap();
    let err = txn.set_taken("zz", "h", "sha256:1").unwrap_err();
    assert!(matches!(err, StoreError::UnknownSite(ref id) if id == "zz"));
    let err = txn.record_import(&entry("zz", "h9", 1, 1)).unwrap_err();
    assert!(matches!(err, StoreError::UnknownSite(ref id) if id == "zz"));
    txn.set_taken("b", "h", "sha256:1").unwrap();
    txn.commit().unwrap();
    let mut txn = h.store.begin().unwrap();
    assert_eq!(txn.taken("b", "h").unwrap().as_deref(), Some("sha256:1"));
}

/// Leaves a site `b` and record 9, then drops a transaction that touched
/// every table; `rolled_back` checks what is left.
pub fn drop_a_txn_touching_everything(h: &mut Harness) {
    h.store.add_site(&new_site("b")).unwrap();
    put(&mut *h.store, &record(9, &[]));
    let mut txn = h.store.begin().unwrap();
    txn.put(&record(1, &[("ghsa", "GHSA-a")])).unwrap();
    txn.delete(&deletion(9, "remote")).unwrap();
    txn.set_taken("b", "h", "sha256:1").unwrap();
    txn.record_import(&entry("b", "h1", 1, 10)).unwrap();
    txn.append_event(&event(1)).unwrap();
}

fn dropping_a_txn_rolls_everything_back(h: &mut Harness) {
    drop_a_txn_touching_everything(h);
    let tables = [
        "canonicals",
        "edges",
        "tombstones",
        "feed",
        "taken",
        "ledger",
        "events",
    ];
    let after: Vec<i64> = tables.map(|t| h.count(t)).to_vec();
    assert_eq!(after, [1, 0, 0, 1, 0, 0, 0]);
    let site = h.store.site("b").unwrap().unwrap();
    assert_eq!(
        (site.last_cursor, site.bundles_imported, site.items_imported),
        (None, 0, 0)
    );
    // The next change reuses the rolled-back feed position.
    assert_eq!(put(&mut *h.store, &record(2, &[])), Cursor::new(0, 2));
}

fn conflicts_are_kept_per_bundle(h: &mut Harness) {
    let row = |field: &str| ConflictRow {
        site_id: "b".to_owned(),
        merge_hash: merge_hash(1),
        field: field.to_owned(),
        local_value: "\"high\"".to_owned(),
        remote_value: "\"low\"".to_owned(),
        resolution: "prefer_remote".to_owned(),
        recorded_at: "2025-02-01T00:00:00.000Z".to_owned(),
    };
    let mut txn = h.store.begin().unwrap();
    txn.record_conflicts("sha256:bundle", &[row("severity"), row("title")])
        .unwrap();
    txn.commit().unwrap();
    let got = h.raw.texts(
        "SELECT bundle_hash, field, local_value, remote_value FROM conflicts \
         ORDER BY conflict_id",
        4,
    );
    let want = |f: &str| {
        ["sha256:bundle", f, "\"high\"", "\"low\""]
            .map(str::to_owned)
            .to_vec()
    };
    assert_eq!(got, [want("severity"), want("title")]);
}

/// Empty: offered (and a dropped transaction leaves the store as it was).
/// A tombstone alone, or a canonical, declines it.
fn a_bulk_load_is_offered_only_while_the_store_holds_nothing(h: &mut Harness) {
    let offered = |h: &mut Harness| h.store.begin().unwrap().bulk_load().unwrap();
    assert!(offered(h));
    assert!(offered(h), "the dropped transaction changed nothing");
    // A remote deletion of a canonical never held stores its tombstone.
    assert!(delete(&mut *h.store, &deletion(5, "remote")).is_some());
    assert_eq!((h.count("canonicals"), h.count("tombstones")), (0, 1));
    assert!(!offered(h));
    put(&mut *h.store, &record(5, &[("ghsa", "GHSA-5")]));
    assert_eq!((h.count("canonicals"), h.count("tombstones")), (1, 0));
    assert!(!offered(h));
}

fn a_merge_base_alone_declines_a_bulk_load(h: &mut Harness) {
    h.store.add_site(&new_site("b")).unwrap();
    let mut txn = h.store.begin().unwrap();
    txn.set_taken("b", &merge_hash(1), "sha256:1").unwrap();
    txn.commit().unwrap();
    let mut txn = h.store.begin().unwrap();
    assert!(!txn.bulk_load().unwrap());
}
