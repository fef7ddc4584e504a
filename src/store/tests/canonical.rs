//! Canonicals, edges, tombstones and the change feed they append to.

use super::harness::store_suite;
use super::{Harness, delete, deletion, merge_hash, put, record};
use crate::cursor::Cursor;
use crate::model::Severity;
use crate::store::{CanonicalFilter, Store, StoreError};

store_suite!(
    put_then_get_round_trips_with_edges_sorted,
    put_replaces_the_whole_edge_set_and_moves_change_seq,
    put_that_changes_the_cve_and_package_is_found_by_the_new_ones,
    delete_removes_canonical_and_edges_and_stores_tombstone,
    delete_of_an_unknown_hash_records_the_tombstone_once,
    put_clears_the_tombstone_of_its_merge_hash,
    feed_cursors_strictly_increase_when_the_clock_goes_back,
    the_floor_of_a_point_is_the_last_entry_at_or_before_it,
    list_filters_by_cve_case_insensitively_and_purl_in_hash_order,
    a_visitor_error_stops_the_listing,
    source_records_and_their_edges,
    corrupt_stored_values_are_errors_not_panics,
);

fn put_then_get_round_trips_with_edges_sorted(h: &mut Harness) {
    h.clock.set(1_000);
    let edges = [
        ("pypa", "PYSEC-2"),
        ("ghsa", "GHSA-b"),
        ("pypa", "PYSEC-10"),
        ("Zed", "Z-1"),
    ];
    let mut rec = record(1, &edges);
    assert_eq!(put(&mut *h.store, &rec), Cursor::new(1_000, 1));
    rec.edges.sort_by(|a, b| {
        (&a.source, &a.source_advisory_id).cmp(&(&b.source, &b.source_advisory_id))
    });
    let got = h.store.canonical(&merge_hash(1)).unwrap().unwrap();
    assert_eq!(got, rec);
    // Byte order, whatever the database's collation: `Z` before `g`.
    let order: Vec<_> = got
        .edges
        .iter()
        .map(|e| e.source_advisory_id.as_str())
        .collect();
    assert_eq!(order, ["Z-1", "GHSA-b", "PYSEC-10", "PYSEC-2"]);
    // The stored JSON text is the model's exact serialization.
    assert_eq!(
        serde_json::to_string(&got).unwrap(),
        serde_json::to_string(&rec).unwrap()
    );
    assert_eq!(h.store.canonical(&merge_hash(2)).unwrap(), None);
}

fn put_replaces_the_whole_edge_set_and_moves_change_seq(h: &mut Harness) {
    h.clock.set(5);
    let first = record(1, &[("ghsa", "GHSA-a"), ("nvd", "CVE-1")]);
    put(&mut *h.store, &first);
    let mut second = record(1, &[("osv", "OSV-9")]);
    second.canonical.severity = Severity::Low;
    assert_eq!(put(&mut *h.store, &second), Cursor::new(5, 2));
    assert_eq!(h.store.canonical(&merge_hash(1)).unwrap(), Some(second));
    assert_eq!(h.count("edges"), 1);
    assert_eq!(h.raw.scalar("SELECT change_seq FROM canonicals"), 2);
}

fn delete_removes_canonical_and_edges_and_stores_tombstone(h: &mut Harness) {
    h.clock.set(10);
    put(&mut *h.store, &record(1, &[("ghsa", "GHSA-a")]));
    let gone = deletion(1, "pruned");
    assert_eq!(delete(&mut *h.store, &gone), Some(Cursor::new(10, 2)));
    assert_eq!(h.store.canonical(&merge_hash(1)).unwrap(), None);
    assert_eq!((h.count("edges"), h.count("tombstones")), (0, 1));
    // Same tombstone again, nothing left to remove: no feed entry.
    assert_eq!(delete(&mut *h.store, &gone), None);
    assert_eq!(h.count("feed"), 2);
    // A different tombstone for the same hash is a change.
    let other = deletion(1, "remote");
    assert_eq!(delete(&mut *h.store, &other), Some(Cursor::new(10, 3)));
    assert_eq!(h.count("tombstones"), 1);
}

fn delete_of_an_unknown_hash_records_the_tombstone_once(h: &mut Harness) {
    let gone = deletion(7, "remote");
    assert_eq!(delete(&mut *h.store, &gone), Some(Cursor::new(0, 1)));
    assert_eq!(delete(&mut *h.store, &gone), None);
    assert_eq!(h.store.local_cursor().unwrap(), Some(Cursor::new(0, 1)));
}

fn put_clears_the_tombstone_of_its_merge_hash(h: &mut Harness) {
    put(&mut *h.store, &record(1, &[]));
    delete(&mut *h.store, &deletion(1, "superseded"));
    put(&mut *h.store, &record(1, &[("go", "GO-1")]));
    assert_eq!(h.count("tombstones"), 0);
    assert!(h.store.canonical(&merge_hash(1)).unwrap().is_some());
}

fn feed_cursors_strictly_increase_when_the_clock_goes_back(h: &mut Harness) {
    h.clock.set(2_000);
    assert_eq!(h.store.local_cursor().unwrap(), None);
    let a = put(&mut *h.store, &record(1, &[]));
    h.clock.set(1_000);
    let b = put(&mut *h.store, &record(2, &[]));
    let c = delete(&mut *h.store, &deletion(1, "pruned")).unwrap();
    h.clock.set(3_000);
    let d = put(&mut *h.store, &record(3, &[]));
    let want = [(2_000, 1), (2_000, 2), (2_000, 3), (3_000, 4)].map(|(m, s)| Cursor::new(m, s));
    assert_eq!([a, b, c, d], want);
    assert_eq!(h.store.local_cursor().unwrap(), Some(d));
    assert_eq!(h.store.cursor_at(2).unwrap(), Some(b));
    assert_eq!(h.store.cursor_at(5).unwrap(), None);
    assert_eq!(h.store.cursor_at(u64::MAX).unwrap(), None);
}

fn the_floor_of_a_point_is_the_last_entry_at_or_before_it(h: &mut Harness) {
    let at = |m, s| Cursor::new(m, s);
    assert_eq!(h.store.cursor_floor(at(5_000, 9)).unwrap(), None);
    h.clock.set(2_000);
    let a = put(&mut *h.store, &record(1, &[]));
    let b = put(&mut *h.store, &record(2, &[]));
    h.clock.set(3_000);
    let c = put(&mut *h.store, &record(3, &[]));
    let floor = |point| h.store.cursor_floor(point).unwrap();
    // Before the first entry; each entry itself; between entries, by time
    // first and then sequence; after the last.
    assert_eq!(floor(at(1_999, 7)), None);
    assert_eq!(floor(at(2_000, 0)), None);
    assert_eq!([floor(a), floor(b), floor(c)], [Some(a), Some(b), Some(c)]);
    assert_eq!(floor(at(2_000, 99)), Some(b));
    assert_eq!(floor(at(2_999, 0)), Some(b));
    assert_eq!(floor(at(3_000, 0)), Some(b));
    assert_eq!(floor(at(9_000, 0)), Some(c));
    assert_eq!(floor(at(i64::MAX, u64::MAX)), Some(c));
}

fn list(store: &dyn Store, filter: CanonicalFilter) -> Vec<String> {
    let mut out = Vec::new();
    store
        .list_canonicals(&filter, &mut |r| {
            out.push(r.canonical.merge_hash);
            Ok(())
        })
        .unwrap();
    out
}

/// A stored merge hash whose CVE and package change (the SQLite store
/// writes such a row another way than one whose identity stays).
fn put_that_changes_the_cve_and_package_is_found_by_the_new_ones(h: &mut Harness) {
    put(&mut *h.store, &record(1, &[("ghsa", "GHSA-a")]));
    put(&mut *h.store, &record(2, &[]));
    let mut moved = record(1, &[("ghsa", "GHSA-a")]);
    moved.canonical.cve = "CVE-2031-0077".into();
    moved.canonical.affects_key = "pkg:npm/left-pad".into();
    moved.canonical.title = "moved".into();
    put(&mut *h.store, &moved);
    assert_eq!(h.store.canonical(&merge_hash(1)).unwrap(), Some(moved));
    let by = |cve: &str, purl: Option<&str>| CanonicalFilter {
        cve: Some(cve.to_owned()),
        purl: purl.map(str::to_owned),
        limit: None,
    };
    let store = &*h.store;
    assert_eq!(
        list(store, by("cve-2031-0077", Some("pkg:npm/left-pad"))),
        [merge_hash(1)]
    );
    assert!(list(store, by("CVE-2024-0001", None)).is_empty());
    assert_eq!(list(store, by("CVE-2024-0002", None)), [merge_hash(2)]);
    assert_eq!(h.count("canonicals"), 2);
}

fn list_filters_by_cve_case_insensitively_and_purl_in_hash_order(h: &mut Harness) {
    for n in [5, 3, 1, 4, 2, 6] {
        put(&mut *h.store, &record(n, &[("ghsa", "GHSA-x")]));
    }
    let store = &*h.store;
    let all = list(store, CanonicalFilter::default());
    assert_eq!(all, (1..=6).map(merge_hash).collect::<Vec<_>>());
    let cve = Some("cve-2024-0004".to_owned());
    let by_cve = CanonicalFilter {
        cve,
        ..Default::default()
    };
    assert_eq!(list(store, by_cve), [merge_hash(4)]);
    let purl = Some("pkg:pypi/pkg1".to_owned());
    let by_purl = CanonicalFilter {
        purl: purl.clone(),
        ..Default::default()
    };
    assert_eq!(list(store, by_purl), [merge_hash(1), merge_hash(4)]);
    let limited = CanonicalFilter {
        purl,
        limit: Some(1),
        ..Default::default()
    };
    assert_eq!(list(store, limited), [merge_hash(1)]);
    let none = CanonicalFilter {
        cve: Some("CVE-2024-0004".into()),
        purl: Some("pkg:pypi/pkg0".into()),
        limit: None,
    };
    assert!(list(store, none).is_empty());
}

fn a_visitor_error_stops_the_listing(h: &mut Harness) {
    put(&mut *h.store, &record(1, &[]));
    let err = h
        .store
        .list_canonicals(&CanonicalFilter::default(), &mut |_| {
            Err(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "closed",
            ))
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Io(e) if e.kind() == std::io::ErrorKind::BrokenPipe));
    // The connection is usable again afterwards.
    assert_eq!(list(&*h.store, CanonicalFilter::default()), [merge_hash(1)]);
}

fn source_records_and_their_edges(h: &mut Harness) {
    let two = record(2, &[("ghsa", "GHSA-a"), ("nvd", "CVE-1")]);
    put(&mut *h.store, &two);
    put(&mut *h.store, &record(1, &[("ghsa", "GHSA-a")]));
    let mut txn = h.store.begin().unwrap();
    let hits = txn.source_record("ghsa", "GHSA-a").unwrap();
    let sha = |n: u32| format!("sha256:{:064x}", n + 1000);
    assert_eq!(hits, [(merge_hash(1), sha(1)), (merge_hash(2), sha(2))]);
    assert!(txn.source_record("ghsa", "GHSA-zz").unwrap().is_empty());
    let all = txn.source_records().unwrap();
    let want = [("ghsa", "GHSA-a"), ("nvd", "CVE-1")].map(|(a, b)| (a.to_owned(), b.to_owned()));
    assert_eq!(all, want);
    // The transaction sees its own writes.
    txn.put(&record(3, &[("osv", "OSV-1")])).unwrap();
    assert_eq!(
        txn.canonical(&merge_hash(3)).unwrap(),
        Some(record(3, &[("osv", "OSV-1")]))
    );
    assert_eq!(txn.source_records().unwrap().len(), 3);
}

fn corrupt_stored_values_are_errors_not_panics(h: &mut Harness) {
    assert_corrupt(
        h,
        &[
            (
                "UPDATE canonicals SET severity = 'severe'",
                "canonicals.severity",
            ),
            ("UPDATE canonicals SET status = 'gone'", "canonicals.status"),
            (
                "UPDATE canonicals SET version_range = '[{'",
                "canonicals.version_range",
            ),
            (
                "UPDATE canonicals SET weaknesses = '{}'",
                "canonicals.weaknesses",
            ),
        ],
    );
}

/// Damages record 1 with each `(sql, column)` in turn and checks that
/// reading it back is `Corrupt` naming the column and the row, then repairs it.
pub fn assert_corrupt(h: &mut Harness, cases: &[(&str, &str)]) {
    put(&mut *h.store, &record(1, &[("ghsa", "GHSA-a")]));
    let key = merge_hash(1);
    for (sql, column) in cases {
        let saved = h.store.canonical(&key).unwrap().unwrap();
        h.raw.exec(sql);
        match h.store.canonical(&key) {
            Err(StoreError::Corrupt { what, detail }) => {
                assert_eq!(what, *column);
                assert!(detail.starts_with(&format!("row `{key}`: ")), "{detail}");
            }
            other => panic!("{sql}: expected Corrupt, got {other:?}"),
        }
        put(&mut *h.store, &saved);
    }
}
