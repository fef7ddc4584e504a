use super::*;
use crate::bundle::rows::{check_canonical, check_deletion, check_edge};

#[test]
fn records_are_a_function_of_seed_index_and_round() {
    assert_eq!(record(7, 42, 0), record(7, 42, 0));
    assert_ne!(record(7, 42, 0), record(8, 42, 0));
    let (first, second) = (record(7, 42, 0), record(7, 42, 1));
    assert_eq!(first.canonical.merge_hash, second.canonical.merge_hash);
    assert_ne!(first.canonical.summary, second.canonical.summary);
    assert_ne!(first.canonical.modified, second.canonical.modified);
}

#[test]
fn rows_pass_the_bundle_readers_checks() {
    for i in 0..2000 {
        let r = record(1, i, 0);
        check_canonical(1, &r.canonical).unwrap();
        assert!((1..=5).contains(&r.edges.len()));
        for e in &r.edges {
            check_edge(1, e, &r.canonical.merge_hash).unwrap();
        }
        check_deletion(1, &deletion(1, i)).unwrap();
    }
}

#[test]
fn merge_hashes_are_distinct() {
    let mut seen = std::collections::HashSet::new();
    for i in 0..20_000 {
        assert!(seen.insert(record(3, i, 0).canonical.merge_hash));
    }
    for j in 0..2_000 {
        assert!(seen.insert(deletion(3, j).merge_hash));
    }
}

#[test]
fn changed_records_are_spread_over_the_set() {
    assert_eq!(changed(10, 3).collect::<Vec<_>>(), vec![0, 3, 6]);
    assert_eq!(changed(5, 9).count(), 5);
    assert_eq!(changed(5, 0).count(), 0);
}

#[test]
fn long_rows_pass_the_checks_and_read_back_as_put() {
    let mut bytes = 0;
    for i in 0..500 {
        let r = Shape::Long.record(1, i, 0);
        check_canonical(1, &r.canonical).unwrap();
        for e in &r.edges {
            check_edge(1, e, &r.canonical.merge_hash).unwrap();
        }
        let c = &r.canonical;
        assert_eq!(
            c.version_range,
            merge_hash::normalize_ranges(&c.version_range)
        );
        assert!((2..=3).contains(&c.version_range.len()), "{i}");
        assert!(c.version_range.iter().all(|r| r.events.len() >= 2));
        assert!(c.cvss_vector.as_deref().unwrap().starts_with("CVSS:"));
        assert!(c.summary.contains("\n\nReferences:\n- https://"));
        let line = serde_json::to_vec(c).unwrap();
        // As stored: validate's fast path takes the row.
        let fast = crate::bundle::rows::fast_merge_hash(&line);
        assert_eq!(fast.as_deref(), Some(c.merge_hash.as_str()), "{i}");
        bytes += line.len();
    }
    let mean = bytes / 500;
    assert!((1400..=1800).contains(&mean), "{mean} bytes a canonical");
}

#[test]
fn long_records_keep_their_identity_across_rounds() {
    let (first, second) = (Shape::Long.record(7, 42, 0), Shape::Long.record(7, 42, 2));
    assert_eq!(first, Shape::Long.record(7, 42, 0));
    assert_eq!(first.canonical.merge_hash, second.canonical.merge_hash);
    assert_eq!(first.edges, second.edges);
    assert_ne!(first.canonical.summary, second.canonical.summary);
    let mut seen = std::collections::HashSet::new();
    for i in 0..5_000 {
        assert!(seen.insert(Shape::Long.record(3, i, 0).canonical.merge_hash));
    }
}
