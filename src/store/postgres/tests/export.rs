//! Export rows and sizes in feed order, from one snapshot.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::store::{ExportRow, StoreError};

fn rows(store: &PgStore, since: Option<u64>, upto: u64) -> Vec<ExportRow> {
    let mut out = Vec::new();
    store
        .export_rows(since, upto, &mut |row| {
            out.push(row);
            Ok(())
        })
        .unwrap();
    out
}

/// (cursor, items) of export rows, as `export_sizes` should give them.
fn sizes_of(rows: &[ExportRow]) -> Vec<(Cursor, u64)> {
    rows.iter()
        .map(|row| match row {
            ExportRow::Canonical(c, r) => (*c, 1 + r.edges.len() as u64),
            ExportRow::Deletion(c, _) => (*c, 1),
        })
        .collect()
}

#[test]
fn rows_come_in_feed_order_with_since_and_upto() {
    let db = test_db!();
    let clock = TestClock::at(100);
    let mut store = db.store(&clock);
    put(&mut store, &record(1, &[("ghsa", "GHSA-a")])); // seq 1, later superseded
    put(&mut store, &record(2, &[])); // seq 2, later deleted
    put(&mut store, &record(3, &[("nvd", "CVE-3"), ("go", "GO-3")])); // seq 3
    clock.set(200);
    delete(&mut store, &deletion(2, "pruned")); // seq 4
    put(&mut store, &record(1, &[])); // seq 5
    let want = vec![
        ExportRow::Canonical(
            Cursor::new(100, 3),
            store.canonical(&merge_hash(3)).unwrap().unwrap(),
        ),
        ExportRow::Deletion(Cursor::new(200, 4), deletion(2, "pruned")),
        ExportRow::Canonical(Cursor::new(200, 5), record(1, &[])),
    ];
    assert_eq!(rows(&store, None, 5), want);
    assert_eq!(rows(&store, None, u64::MAX), want);
    assert_eq!(rows(&store, Some(3), 5), want[1..]);
    assert_eq!(rows(&store, Some(2), 4), want[..2]);
    assert_eq!(rows(&store, Some(5), 5), []);
    assert_eq!(rows(&store, Some(0), 2), []);
    let sizes = [(100, 3, 3), (200, 4, 1), (200, 5, 1)].map(|(m, s, n)| (Cursor::new(m, s), n));
    assert_eq!(store.export_sizes(None).unwrap(), sizes);
    assert_eq!(store.export_sizes(Some(4)).unwrap(), sizes[2..]);
    assert_eq!(store.export_sizes(Some(5)).unwrap(), []);
}

#[test]
fn a_row_without_its_feed_entry_is_corrupt() {
    let db = test_db!();
    let mut store = db.store(&TestClock::at(0));
    put(&mut store, &record(1, &[]));
    db.exec("vuln", "DELETE FROM feed");
    let err = store.export_rows(None, 10, &mut |_| Ok(())).unwrap_err();
    assert_eq!(
        err.to_string(),
        "stored row is corrupt (feed): no feed row for change_seq `1`"
    );
    assert!(matches!(
        store.export_sizes(None),
        Err(StoreError::Corrupt { what: "feed", .. })
    ));
}

#[test]
fn a_large_export_streams_in_pages_in_feed_order() {
    let db = test_db!();
    let mut store = db.store(&TestClock::at(0));
    let records: Vec<_> = (0..2_500u32).map(|i| super::batch::wide(i, 2)).collect();
    let mut txn = store.begin().unwrap();
    txn.put_many(&records).unwrap();
    txn.commit().unwrap();
    let mut seen = 0u64;
    store
        .export_rows(None, u64::MAX, &mut |row| {
            seen += 1;
            match row {
                ExportRow::Canonical(c, r) if c.seq() == seen && r.edges.len() == 2 => Ok(()),
                other => Err(std::io::Error::other(format!("row {seen}: {other:?}"))),
            }
        })
        .unwrap();
    assert_eq!(seen, 2_500);
}

#[derive(Clone, Debug)]
enum Op {
    Put(u8, usize),
    Delete(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..6, 0usize..4).prop_map(|(n, e)| Op::Put(n, e)),
        (0u8..6).prop_map(Op::Delete),
    ]
}

const SOURCES: [(&str, &str); 3] = [("ghsa", "GHSA-1"), ("nvd", "CVE-1"), ("pypa", "PYSEC-1")];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Whatever the history, an export is exactly the final state in feed
    /// order, any split at `since` concatenates back to it, and the sizes
    /// line up with the rows.
    #[test]
    fn export_matches_a_model_of_the_history(ops in prop::collection::vec(op(), 1..30), split in 0u64..32) {
        let db = test_db!(proptest);
        let mut store = db.store(&TestClock::at(1));
        let mut model: BTreeMap<u64, ExportRow> = BTreeMap::new();
        let mut at: BTreeMap<u8, u64> = BTreeMap::new();
        for op in ops {
            let (n, row) = match op {
                Op::Put(n, e) => {
                    let rec = record(n, &SOURCES[..e.min(3)]);
                    let c = put(&mut store, &rec);
                    (n, Some(ExportRow::Canonical(c, rec)))
                }
                Op::Delete(n) => {
                    let d = deletion(n, "pruned");
                    (n, delete(&mut store, &d).map(|c| ExportRow::Deletion(c, d)))
                }
            };
            if let Some(row) = row {
                let seq = match &row { ExportRow::Canonical(c, _) | ExportRow::Deletion(c, _) => c.seq() };
                if let Some(old) = at.insert(n, seq) { model.remove(&old); }
                model.insert(seq, row);
            }
        }
        let want: Vec<ExportRow> = model.into_values().collect();
        prop_assert_eq!(&rows(&store, None, u64::MAX), &want);
        let mut joined = rows(&store, None, split);
        joined.extend(rows(&store, Some(split), u64::MAX));
        prop_assert_eq!(&joined, &want);
        prop_assert_eq!(store.export_sizes(None).unwrap(), sizes_of(&want));
        prop_assert_eq!(store.export_sizes(Some(split)).unwrap(), sizes_of(&rows(&store, Some(split), u64::MAX)));
    }
}
