use super::*;
use crate::store::postgres::tests::TestDb;
use crate::store::sqlite::SqliteStore;

/// Seeds `0..cases`, or the one in `STELLA_CONVERGENCE_SEED`.
fn seeds(cases: u64) -> Vec<u64> {
    match std::env::var("STELLA_CONVERGENCE_SEED") {
        Ok(seed) => vec![seed.parse().expect("STELLA_CONVERGENCE_SEED is a number")],
        Err(_) => (0..cases).collect(),
    }
}

fn check(seed: u64, store: &mut dyn FnMut(&str) -> Box<dyn Store>) {
    let scenario = Scenario::generate(seed);
    if let Err(why) = run(&scenario, store) {
        panic!(
            "seed {seed} (rerun: STELLA_CONVERGENCE_SEED={seed} cargo test --lib convergence): {why}\n{scenario:#?}"
        );
    }
}

#[test]
fn random_federations_converge_on_sqlite() {
    for seed in seeds(200) {
        let clock = Clock::default();
        check(seed, &mut |_| {
            let store = SqliteStore::open_in_memory().unwrap();
            Box::new(store.with_clock(clock.boxed()))
        });
    }
}

#[test]
fn random_federations_converge_on_postgres() {
    for seed in seeds(12) {
        let Some(db) = TestDb::create() else { return };
        let clock = crate::store::tests::TestClock::at(1_735_689_600_000);
        check(seed, &mut |site| {
            let options = crate::store::postgres::PgOptions::default();
            Box::new(db.store_in(&format!("site_{site}"), &clock, &options))
        });
    }
}

/// The model on its own: a two-way link that edits concurrently at both
/// ends settles on the later upstream snapshot at both.
#[test]
fn the_model_joins_concurrent_edits_to_the_later_snapshot() {
    let mut m = Model::new(2);
    m.ingest(0, 0, 3, true);
    m.ingest(1, 0, 0, true);
    let (a, b) = (m.sites[0].clone(), m.sites[1].clone());
    let conflicts = m.import(0, &b) + m.import(1, &a);
    assert_eq!(m.sites[0], m.sites[1]);
    let older = scenario::snapshot(0, 0);
    let both: Vec<_> = scenario::snapshot(0, 3)
        .into_iter()
        .filter(|r| older.iter().any(|o| (&o.cve, o.fixed) == (&r.cve, r.fixed)))
        .collect();
    // Records 1 and 2 are in both snapshots, each a conflict at each end.
    assert_eq!(both.len(), 2);
    assert_eq!(conflicts, 4);
    for r in &both {
        let state = &m.sites[0][&(r.cve.clone(), r.fixed)];
        assert_eq!(state.summary.as_ref(), Some(&r.summary));
    }
}
