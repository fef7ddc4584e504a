//! Export rows and sizes in feed order, and a model-checked history.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::harness::store_suite;
use super::{Harness, delete, deletion, merge_hash, put, record};
use crate::cursor::Cursor;
use crate::store::{ExportLines, ExportRow, Store, StoreError};

store_suite!(
    rows_come_in_feed_order_with_since_and_upto,
    a_row_without_its_feed_entry_is_corrupt,
    lines_are_the_rows_serialized,
);

fn rows(store: &dyn Store, since: Option<u64>, upto: u64) -> Vec<ExportRow> {
    let mut out = Vec::new();
    store
        .export_rows(since, upto, &mut |row| {
            out.push(row);
            Ok(())
        })
        .unwrap();
    out
}

/// An export row as the bundle's bytes, owned.
#[derive(Debug, PartialEq, Eq)]
enum Lines {
    Canonical(Cursor, String, String, u64),
    Deletion(Cursor, crate::model::Deletion),
}

fn lines(store: &dyn Store, since: Option<u64>, upto: u64) -> Vec<Lines> {
    let mut out = Vec::new();
    store
        .export_lines(since, upto, &mut |row| {
            out.push(match row {
                ExportLines::Canonical {
                    cursor,
                    line,
                    edges,
                    edge_count,
                } => {
                    let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
                    Lines::Canonical(cursor, text(line), text(edges), edge_count)
                }
                ExportLines::Deletion(cursor, d) => Lines::Deletion(cursor, d),
            });
            Ok(())
        })
        .unwrap();
    out
}

/// What [`lines`] must give for these rows: each serialized as a bundle
/// member holds it, edges in the order the rows list them.
fn serialized(rows: &[ExportRow]) -> Vec<Lines> {
    rows.iter()
        .map(|row| match row {
            ExportRow::Canonical(c, r) => {
                let edges: String = r.edges.iter().map(line).collect();
                Lines::Canonical(*c, line(&r.canonical), edges, r.edges.len() as u64)
            }
            ExportRow::Deletion(c, d) => Lines::Deletion(*c, d.clone()),
        })
        .collect()
}

/// A model row's NDJSON line, `\n` included.
fn line<T: serde::Serialize>(row: &T) -> String {
    serde_json::to_string(row).unwrap() + "\n"
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

fn rows_come_in_feed_order_with_since_and_upto(h: &mut Harness) {
    h.clock.set(100);
    let store = &mut *h.store;
    put(store, &record(1, &[("ghsa", "GHSA-a")])); // seq 1, later superseded
    put(store, &record(2, &[])); // seq 2, later deleted
    put(store, &record(3, &[("nvd", "CVE-3"), ("go", "GO-3")])); // seq 3
    h.clock.set(200);
    delete(store, &deletion(2, "pruned")); // seq 4
    put(store, &record(1, &[])); // seq 5
    let want = vec![
        ExportRow::Canonical(
            Cursor::new(100, 3),
            store.canonical(&merge_hash(3)).unwrap().unwrap(),
        ),
        ExportRow::Deletion(Cursor::new(200, 4), deletion(2, "pruned")),
        ExportRow::Canonical(Cursor::new(200, 5), record(1, &[])),
    ];
    assert_eq!(rows(store, None, 5), want);
    assert_eq!(rows(store, None, u64::MAX), want);
    assert_eq!(rows(store, Some(3), 5), want[1..]);
    assert_eq!(rows(store, Some(2), 4), want[..2]);
    assert_eq!(rows(store, Some(5), 5), []);
    assert_eq!(rows(store, Some(0), 2), []);
    let sizes = [(100, 3, 3), (200, 4, 1), (200, 5, 1)].map(|(m, s, n)| (Cursor::new(m, s), n));
    assert_eq!(store.export_sizes(None).unwrap(), sizes);
    assert_eq!(store.export_sizes(Some(4)).unwrap(), sizes[2..]);
    assert_eq!(store.export_sizes(Some(5)).unwrap(), []);
    assert_eq!(
        store.export_summary(None).unwrap(),
        Some((Cursor::new(200, 5), 5))
    );
    assert_eq!(
        store.export_summary(Some(3)).unwrap(),
        Some((Cursor::new(200, 5), 2))
    );
    assert_eq!(store.export_summary(Some(5)).unwrap(), None);
}

/// Edges put out of order come back sorted, in the rows and in the lines.
fn lines_are_the_rows_serialized(h: &mut Harness) {
    let store = &mut *h.store;
    put(
        store,
        &record(3, &[("nvd", "CVE-3"), ("go", "GO-3"), ("go", "GO-1")]),
    );
    put(store, &record(1, &[]));
    delete(store, &deletion(1, "pruned"));
    put(store, &record(2, &[("ghsa", "GHSA-2")]));
    let rows = rows(store, None, u64::MAX);
    let ExportRow::Canonical(_, first) = &rows[0] else {
        panic!("expected a canonical first, got {rows:?}");
    };
    let keys: Vec<&str> = first
        .edges
        .iter()
        .map(|e| e.source_advisory_id.as_str())
        .collect();
    assert_eq!(keys, ["GO-1", "GO-3", "CVE-3"]);
    assert_eq!(rows.len(), 3);
    assert_eq!(lines(store, None, u64::MAX), serialized(&rows));
    assert_eq!(lines(store, Some(2), 3), serialized(&rows[1..2]));
}

fn a_row_without_its_feed_entry_is_corrupt(h: &mut Harness) {
    put(&mut *h.store, &record(1, &[]));
    h.raw.exec("DELETE FROM feed");
    let err = h.store.export_rows(None, 10, &mut |_| Ok(())).unwrap_err();
    assert_eq!(
        err.to_string(),
        "stored row is corrupt (feed): no feed row for change_seq `1`"
    );
    assert!(matches!(
        h.store.export_sizes(None),
        Err(StoreError::Corrupt { what: "feed", .. })
    ));
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

/// Whatever the history, an export is exactly the final state in feed
/// order, any split at `since` concatenates back to it, and the sizes line
/// up with the rows.
fn export_matches_the_model(
    h: &mut Harness,
    ops: Vec<Op>,
    split: u64,
) -> Result<(), TestCaseError> {
    h.clock.set(1);
    let store = &mut *h.store;
    let mut model: BTreeMap<u64, ExportRow> = BTreeMap::new();
    let mut at: BTreeMap<u8, u64> = BTreeMap::new();
    for op in ops {
        let (n, row) = match op {
            Op::Put(n, e) => {
                let rec = record(n, &SOURCES[..e.min(3)]);
                let c = put(store, &rec);
                (n, Some(ExportRow::Canonical(c, rec)))
            }
            Op::Delete(n) => {
                let d = deletion(n, "pruned");
                (n, delete(store, &d).map(|c| ExportRow::Deletion(c, d)))
            }
        };
        if let Some(row) = row {
            let (ExportRow::Canonical(c, _) | ExportRow::Deletion(c, _)) = &row;
            if let Some(old) = at.insert(n, c.seq()) {
                model.remove(&old);
            }
            model.insert(c.seq(), row);
        }
    }
    let want: Vec<ExportRow> = model.into_values().collect();
    prop_assert_eq!(&rows(store, None, u64::MAX), &want);
    prop_assert_eq!(lines(store, None, u64::MAX), serialized(&want));
    prop_assert_eq!(
        lines(store, Some(split), u64::MAX),
        serialized(&rows(store, Some(split), u64::MAX))
    );
    let mut joined = rows(store, None, split);
    joined.extend(rows(store, Some(split), u64::MAX));
    prop_assert_eq!(&joined, &want);
    prop_assert_eq!(store.export_sizes(None).unwrap(), sizes_of(&want));
    let tail = sizes_of(&rows(store, Some(split), u64::MAX));
    prop_assert_eq!(store.export_sizes(Some(split)).unwrap(), tail);
    for since in [None, Some(split)] {
        let sizes = store.export_sizes(since).unwrap();
        let total: u64 = sizes.iter().map(|(_, n)| n).sum();
        let want = sizes.last().map(|(cursor, _)| (*cursor, total));
        prop_assert_eq!(store.export_summary(since).unwrap(), want);
    }
    Ok(())
}

mod model {
    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn sqlite_export_matches_a_model_of_the_history(ops in prop::collection::vec(op(), 1..30), split in 0u64..32) {
            export_matches_the_model(&mut Harness::sqlite(), ops, split)?;
        }
    }

    proptest! {
        // A fresh database per case: fewer cases.
        #![proptest_config(ProptestConfig::with_cases(16))]
        #[test]
        fn postgres_export_matches_a_model_of_the_history(ops in prop::collection::vec(op(), 1..30), split in 0u64..32) {
            if let Some(mut h) = Harness::postgres() {
                export_matches_the_model(&mut h, ops, split)?;
            }
        }
    }
}
