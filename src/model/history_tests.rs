use super::*;

fn h(origin: &str, vv: &[(&str, u64)], modified: &str, lamport: u64) -> History {
    History {
        origin: origin.into(),
        vv: vv.iter().map(|(s, n)| ((*s).to_owned(), *n)).collect(),
        modified: modified.into(),
        lamport,
    }
}

#[test]
fn next_counts_the_site_and_ranks_above_what_it_supersedes() {
    let first = History::next("a", None, Some("2025-01-01T00:00:00Z"));
    assert_eq!(first, h("a", &[("a", 1)], "2025-01-01T00:00:00.000Z", 1));
    let second = History::next("b", Some(&first), Some("2024-01-01T00:00:00Z"));
    // An older upstream time never lowers the rank.
    assert_eq!(
        second,
        h("b", &[("a", 1), ("b", 1)], "2025-01-01T00:00:00.000Z", 2)
    );
    assert_eq!(first.compare(&second), Causal::Before);
    assert_eq!(second.compare(&first), Causal::After);
    assert_eq!(second.compare(&second.clone()), Causal::Same);
}

#[test]
fn versions_made_apart_are_concurrent_and_join_to_the_same_result() {
    let base = History::next("a", None, None);
    let x = History::next("a", Some(&base), Some("2025-02-01T00:00:00Z"));
    let y = History::next("b", Some(&base), Some("2025-03-01T00:00:00Z"));
    assert_eq!(x.compare(&y), Causal::Concurrent);
    assert_eq!(y.newest_order("d1", &x, "d2"), Ordering::Greater);
    let joined = y.join(&x);
    assert_eq!(joined.vv, [("a".into(), 2), ("b".into(), 1)].into());
    assert_eq!(joined.origin, "b");
    assert_eq!(x.compare(&joined), Causal::Before);
    assert_eq!(y.compare(&joined), Causal::Before);
}

#[test]
fn ties_in_rank_fall_to_origin_then_digest() {
    let x = h("a", &[("a", 1)], "", 1);
    let y = h("b", &[("b", 1)], "", 1);
    assert_eq!(x.newest_order("z", &y, "a"), Ordering::Less);
    assert_eq!(x.newest_order("a", &x.clone(), "b"), Ordering::Less);
}

#[test]
fn checks_refuse_what_a_writer_never_makes() {
    assert_eq!(check(&History::next("site-a", None, None)), Ok(()));
    for (bad, why) in [
        (h("a", &[], "", 1), "names 0 sites"),
        (h("a", &[("b", 1)], "", 1), "origin `a` is not"),
        (h("a", &[("a", 0)], "", 1), "counts 0 versions"),
        (h("a", &[("a", 1)], "", 0), "lamport counter is 0"),
        (h("a", &[("../x", 1), ("a", 1)], "", 1), "invalid site id"),
        (
            h("a", &[("a", 1)], "2025-01-01T00:00:00Z", 1),
            "not a UTC time",
        ),
    ] {
        let err = check(&bad).unwrap_err();
        assert!(err.contains(why), "{err}");
    }
}

#[test]
fn serializes_sorted_and_compact() {
    let x = h("b", &[("b", 2), ("a", 1)], "", 3);
    assert_eq!(
        serde_json::to_string(&x).unwrap(),
        r#"{"origin":"b","vv":{"a":1,"b":2},"modified":"","lamport":3}"#
    );
}
