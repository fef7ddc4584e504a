use super::*;
use crate::model::{Canonical, Severity, Status};

fn record(title: &str, modified: &str) -> CanonicalRecord {
    CanonicalRecord {
        canonical: Canonical {
            id: uuid::Uuid::nil(),
            cve: "CVE-2025-0001".into(),
            affects_key: "pkg:pypi/demo".into(),
            merge_hash: "sha256:00".into(),
            status: Status::Active,
            severity: Severity::High,
            title: title.into(),
            summary: String::new(),
            cvss_vector: None,
            version_range: Vec::new(),
            weaknesses: Vec::new(),
            patch_lineage: Vec::new(),
            published: None,
            modified: Some(modified.into()),
            history: None,
        },
        edges: Vec::new(),
    }
}

fn live(r: &CanonicalRecord) -> (String, History) {
    (
        r.digest(),
        History::next("x", None, r.canonical.modified.as_deref()),
    )
}

#[test]
fn same_older_and_newer_are_echo_stale_and_take() {
    let r = record("a", "2025-01-01T00:00:00Z");
    let h1 = History::next("a", None, Some("2025-01-01T00:00:00Z"));
    let h2 = History::next("a", Some(&h1), Some("2025-02-01T00:00:00Z"));
    let d = r.digest();
    let s = ConflictStrategy::PreferRemote;
    let at = |local: &History, remote: &History| {
        decide("c", Local::Live(&r, local), Remote::Live(&d), remote, s).plan
    };
    assert_eq!(at(&h1, &h1), Plan::Skip(Skip::Echo));
    assert_eq!(at(&h2, &h1), Plan::Skip(Skip::Stale));
    assert_eq!(at(&h1, &h2), Plan::Take);
    let absent = decide("c", Local::Absent, Remote::Live(&d), &h1, s);
    assert_eq!(
        absent,
        Decided {
            plan: Plan::Take,
            conflict: false
        }
    );
}

#[test]
fn a_tombstone_outranks_the_versions_it_deleted() {
    let r = record("a", "2025-01-01T00:00:00Z");
    let (d, h1) = live(&r);
    let gone = History::next("x", Some(&h1), None);
    let stale = decide(
        "c",
        Local::Dead(&gone),
        Remote::Live(&d),
        &h1,
        ConflictStrategy::PreferRemote,
    );
    assert_eq!(stale.plan, Plan::Skip(Skip::Stale));
    let recreated = History::next("y", Some(&gone), Some("2025-03-01T00:00:00Z"));
    let back = decide(
        "c",
        Local::Dead(&gone),
        Remote::Live(&d),
        &recreated,
        ConflictStrategy::PreferRemote,
    );
    assert_eq!(back.plan, Plan::Take);
}

#[test]
fn concurrent_edits_settle_the_same_way_at_both_ends_under_newest() {
    let (older, newer) = (
        record("old", "2025-01-01T00:00:00Z"),
        record("new", "2025-02-01T00:00:00Z"),
    );
    let ha = History::next("a", None, older.canonical.modified.as_deref());
    let hb = History::next("b", None, newer.canonical.modified.as_deref());
    let (da, db) = (older.digest(), newer.digest());
    let n = ConflictStrategy::Newest;
    // At a (holding older), b's newer arrives; at b, a's older arrives.
    let at_a = decide("a", Local::Live(&older, &ha), Remote::Live(&db), &hb, n);
    let at_b = decide("b", Local::Live(&newer, &hb), Remote::Live(&da), &ha, n);
    assert!(at_a.conflict && at_b.conflict);
    let joined = hb.join(&ha);
    assert_eq!(at_a.plan, Plan::TakeRemote(joined.clone()));
    assert_eq!(at_b.plan, Plan::KeepLocal(joined));
}

#[test]
fn equal_content_made_apart_joins_without_a_conflict() {
    let r = record("same", "2025-01-01T00:00:00Z");
    let d = r.digest();
    let (ha, hb) = (
        History::next("a", None, None),
        History::next("b", None, None),
    );
    let got = decide(
        "a",
        Local::Live(&r, &ha),
        Remote::Live(&d),
        &hb,
        ConflictStrategy::PreferLocal,
    );
    assert!(!got.conflict);
    assert_eq!(got.plan, Plan::TakeRemote(hb.join(&ha)));
}

#[test]
fn prefer_strategies_make_a_new_version_above_both_sides() {
    let (x, y) = (
        record("x", "2025-01-01T00:00:00Z"),
        record("y", "2025-01-01T00:00:00Z"),
    );
    let (hx, hy) = (
        History::next("a", None, None),
        History::next("b", None, None),
    );
    let dy = y.digest();
    for s in [
        ConflictStrategy::PreferRemote,
        ConflictStrategy::PreferLocal,
    ] {
        let got = decide("a", Local::Live(&x, &hx), Remote::Live(&dy), &hy, s);
        let made = match got.plan {
            Plan::TakeRemote(h) | Plan::KeepLocal(h) => h,
            other => panic!("{other:?}"),
        };
        assert_eq!(made.origin, "a");
        assert_eq!(hx.compare(&made), Causal::Before);
        assert_eq!(hy.compare(&made), Causal::Before);
    }
}
