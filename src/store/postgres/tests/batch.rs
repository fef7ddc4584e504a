//! The bulk batch methods agree with the per-row ones, duplicates and all.

use proptest::prelude::*;

use super::super::PgOptions;
use super::*;
use crate::model::canonical_id;
use crate::model::{CanonicalRecord, Severity};
use crate::store::ExportRow;

/// A canonical numbered beyond `u8`, with `edges` edges.
pub fn wide(i: u32, edges: usize) -> CanonicalRecord {
    let sources = [("ghsa", "GHSA-1"), ("nvd", "CVE-1"), ("osv", "OSV-1")];
    let mut r = record(0, &sources[..edges.min(3)]);
    let hash = format!("sha256:{:064x}", 100_000 + i);
    r.canonical.id = canonical_id(&hash);
    r.canonical.title = format!("wide {i}");
    for e in &mut r.edges {
        e.merge_hash = hash.clone();
        e.canonical_id = r.canonical.id;
    }
    r.canonical.merge_hash = hash;
    r
}

#[derive(Clone, Debug)]
enum Step {
    Puts(Vec<(u8, usize, bool)>),
    Deletes(Vec<(u8, bool)>),
    Taken(Vec<(u8, u8)>),
}

fn step() -> impl Strategy<Value = Step> {
    let n = 0u8..5;
    prop_oneof![
        prop::collection::vec((n.clone(), 0usize..4, any::<bool>()), 0..6).prop_map(Step::Puts),
        prop::collection::vec((n.clone(), any::<bool>()), 0..6).prop_map(Step::Deletes),
        prop::collection::vec((n, 0u8..3), 0..6).prop_map(Step::Taken),
    ]
}

const SOURCES: [(&str, &str); 3] = [("ghsa", "GHSA-1"), ("nvd", "CVE-1"), ("pypa", "PYSEC-1")];

/// Applies one step per row (`bulk = false`) or with the batch method.
fn apply(store: &mut PgStore, step: &Step, bulk: bool) -> Vec<Option<Cursor>> {
    let mut txn = store.begin().unwrap();
    let out = match step {
        Step::Puts(items) => {
            let recs: Vec<_> = items
                .iter()
                .map(|&(n, e, low)| {
                    let mut r = record(n, &SOURCES[..e.min(3)]);
                    if low {
                        r.canonical.severity = Severity::Low;
                    }
                    r
                })
                .collect();
            let cursors = if bulk {
                txn.put_many(&recs).unwrap()
            } else {
                recs.iter().map(|r| txn.put(r).unwrap()).collect()
            };
            cursors.into_iter().map(Some).collect()
        }
        Step::Deletes(items) => {
            let dels: Vec<_> = items
                .iter()
                .map(|&(n, remote)| deletion(n, if remote { "remote" } else { "pruned" }))
                .collect();
            if bulk {
                txn.delete_many(&dels).unwrap()
            } else {
                dels.iter().map(|d| txn.delete(d).unwrap()).collect()
            }
        }
        Step::Taken(items) => {
            let pairs: Vec<_> = items
                .iter()
                .map(|&(n, d)| (merge_hash(n), format!("sha256:{d}")))
                .collect();
            if bulk {
                txn.set_taken_many("b", &pairs).unwrap();
            } else {
                for (m, d) in &pairs {
                    txn.set_taken("b", m, d).unwrap();
                }
            }
            Vec::new()
        }
    };
    txn.commit().unwrap();
    out
}

/// Everything observable: export rows, batch and per-row reads.
fn state(
    store: &mut PgStore,
) -> (
    Vec<ExportRow>,
    Vec<Option<CanonicalRecord>>,
    Vec<Option<String>>,
) {
    let mut rows = Vec::new();
    store
        .export_rows(None, u64::MAX, &mut |r| {
            rows.push(r);
            Ok(())
        })
        .unwrap();
    let hashes: Vec<String> = [0, 1, 2, 0, 9, 4, 3].map(merge_hash).to_vec();
    let mut txn = store.begin().unwrap();
    let many = txn.canonicals(&hashes).unwrap();
    let one: Vec<_> = hashes.iter().map(|m| txn.canonical(m).unwrap()).collect();
    assert_eq!(many, one);
    let taken = txn.taken_many("b", &hashes).unwrap();
    let taken_one: Vec<_> = hashes.iter().map(|m| txn.taken("b", m).unwrap()).collect();
    assert_eq!(taken, taken_one);
    (rows, many, taken)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn batch_methods_agree_with_per_row_methods(steps in prop::collection::vec(step(), 1..8)) {
        let db = test_db!(proptest);
        let clock = TestClock::at(7);
        let opts = PgOptions::default();
        let mut rows = db.store_in("per_row", &clock, &opts);
        let mut bulk = db.store_in("bulk", &clock, &opts);
        rows.add_site(&new_site("b")).unwrap();
        bulk.add_site(&new_site("b")).unwrap();
        for step in &steps {
            prop_assert_eq!(apply(&mut rows, step, false), apply(&mut bulk, step, true));
        }
        prop_assert_eq!(state(&mut rows), state(&mut bulk));
    }
}

#[test]
fn a_thousand_row_batch_round_trips() {
    let db = test_db!();
    let mut store = db.store(&TestClock::at(3));
    store.add_site(&new_site("b")).unwrap();
    let records: Vec<_> = (0..1_000u32).map(|i| wide(i, (i % 4) as usize)).collect();
    let hashes: Vec<String> = records
        .iter()
        .map(|r| r.canonical.merge_hash.clone())
        .collect();
    let mut txn = store.begin().unwrap();
    let cursors = txn.put_many(&records).unwrap();
    assert_eq!(cursors.first(), Some(&Cursor::new(3, 1)));
    assert_eq!(cursors.last(), Some(&Cursor::new(3, 1_000)));
    let pairs: Vec<_> = hashes
        .iter()
        .map(|m| (m.clone(), format!("d-{m}")))
        .collect();
    txn.set_taken_many("b", &pairs).unwrap();
    let events: Vec<_> = (0..1_000u64)
        .map(|i| crate::store::tests::ledger::event((i % 200) as u8))
        .collect();
    txn.append_events(&events).unwrap();
    txn.commit().unwrap();
    let mut txn = store.begin().unwrap();
    let got = txn.canonicals(&hashes).unwrap();
    assert_eq!(got, records.iter().cloned().map(Some).collect::<Vec<_>>());
    let taken = txn.taken_many("b", &hashes).unwrap();
    assert_eq!(
        taken,
        pairs
            .iter()
            .map(|(_, d)| Some(d.clone()))
            .collect::<Vec<_>>()
    );
    let deletions: Vec<_> = records[..500]
        .iter()
        .map(|r| crate::model::Deletion {
            history: None,
            canonical_id: r.canonical.id,
            merge_hash: r.canonical.merge_hash.clone(),
            deleted_at: "2025-01-15T10:30:00.000Z".to_owned(),
            reason: "pruned".to_owned(),
        })
        .collect();
    let gone = txn.delete_many(&deletions).unwrap();
    assert_eq!(gone.last(), Some(&Some(Cursor::new(3, 1_500))));
    txn.commit().unwrap();
    assert_eq!(db.count("vuln", "canonicals"), 500);
    assert_eq!(db.count("vuln", "tombstones"), 500);
    let ids: Vec<u64> = store
        .events(998, 10)
        .unwrap()
        .iter()
        .map(|e| e.event_id)
        .collect();
    assert_eq!(ids, [999, 1_000]);
}

/// The bundle reader refuses a canonical listed twice; should one reach a
/// PostgreSQL bulk load anyway, the load fails on the key and keeps nothing,
/// and the next load into the still-empty store goes through.
#[test]
fn a_key_loaded_twice_in_a_bulk_load_fails_and_leaves_nothing() {
    let db = test_db!();
    let mut store = db.store(&TestClock::at(3));
    store.add_site(&new_site("b")).unwrap();
    let mut txn = store.begin().unwrap();
    assert!(txn.bulk_load().unwrap());
    let loaded = (|| {
        txn.put_many(&[record(1, &[("ghsa", "GHSA-1")])])?;
        txn.put_many(&[record(1, &[("osv", "OSV-1")])])
    })();
    let err = loaded.and_then(|_| txn.commit()).unwrap_err();
    // The unique index is built at the end of the load, and names the key.
    let key = format!(
        "Key (merge_hash)=({}) is duplicated",
        record(1, &[]).canonical.merge_hash
    );
    assert!(err.to_string().contains(&key), "{err}");
    assert_eq!(db.count("vuln", "canonicals"), 0);
    assert_eq!(db.count("vuln", "edges"), 0);
    let mut txn = store.begin().unwrap();
    assert!(txn.bulk_load().unwrap());
    txn.put_many(&[record(1, &[("ghsa", "GHSA-1")])]).unwrap();
    txn.commit().unwrap();
    assert_eq!(db.count("vuln", "canonicals"), 1);
    assert_eq!(db.count("vuln", "edges"), 1);
}
