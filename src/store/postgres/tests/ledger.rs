//! Event ids come from an identity column, which a rollback does not wind
//! back (SQLite reuses them; that difference is real, so it is tested here).

use crate::store::tests::Harness;
use crate::store::tests::ledger::{drop_a_txn_touching_everything, event};

#[test]
fn event_ids_are_not_reused_after_a_rollback() {
    let Some(mut h) = Harness::postgres() else {
        return;
    };
    drop_a_txn_touching_everything(&mut h);
    assert_eq!(h.count("events"), 0);
    let mut txn = h.store.begin().unwrap();
    txn.append_event(&event(2)).unwrap();
    txn.commit().unwrap();
    let ids: Vec<u64> = h
        .store
        .events(0, 10)
        .unwrap()
        .iter()
        .map(|e| e.event_id)
        .collect();
    assert_eq!(ids, [2]);
}
