//! An ingest into an empty store keeps its scratch space beside the store
//! (the home), never in the system's temporary directory, and leaves
//! nothing behind (what a killed one left goes with the next); without a
//! scratch space it takes the per-record path, to the same outcome.

use crate::growth::names;
use crate::harness::*;

/// Both samples in one run: records repeated with changes, so canonicals
/// are created, updated, withdrawn and superseded within the run.
fn history() -> [String; 2] {
    ["pypi-2024-01-01", "pypi-2024-10-10"]
        .map(|name| fixture(&format!("osv/{name}")).to_str().unwrap().to_owned())
}

const HISTORY_REPORT: &str = "Read 45 records: 31 ingested, 14 unchanged, 0 refused\n\
    Canonicals: 25 created, 5 updated, 1 withdrawn, 2 deleted (superseded), 0 pruned\n";

/// Ingests the history at a fresh site with a pinned clock and `env`; the
/// report and the canonicals it left.
fn ingest(store: Backend, env: &[(&str, &str)]) -> (String, Vec<String>, Site) {
    let site = Site::on(store, "site-a");
    let [first, second] = history();
    let mut run = site
        .run(&["feedser", "ingest", "osv", &first, &second])
        .env("STELLA_TEST_NOW_MS", "1736937000000");
    for (key, value) in env {
        run = run.env(key, value);
    }
    let report = run.go().ok().stdout;
    let canonicals = site.canonicals();
    (report, canonicals, site)
}

fn without_a_scratch_space_the_per_record_path_ends_alike(store: Backend) {
    let (report, canonicals, _site) = ingest(store, &[]);
    assert_eq!(report, HISTORY_REPORT);
    assert_eq!(canonicals.len(), 23);
    let nowhere = "/nonexistent/stella-ingest-scratch";
    let (fallback, fallback_canonicals, _fallback_site) =
        ingest(store, &[("STELLA_TEST_INGEST_SCRATCH", nowhere)]);
    assert_eq!(fallback, report);
    assert_same(&fallback_canonicals, &canonicals, "canonicals");
}

fn the_scratch_space_is_beside_the_store_and_goes_when_done(store: Backend) {
    let (report, canonicals, site) = ingest(store, &[]);
    let home = names(&site.home());
    // The system's temporary directory is not needed.
    let unwritable = "/nonexistent/stella-tmp";
    let (elsewhere, elsewhere_canonicals, other) = ingest(store, &[("TMPDIR", unwritable)]);
    assert_eq!(elsewhere, report);
    assert_same(&elsewhere_canonicals, &canonicals, "canonicals");
    assert_eq!(names(&other.home()), home);
    assert!(
        home.iter().all(|name| !name.starts_with(".ingest-scratch")),
        "{home:?}"
    );
    // Where the scratch space is made, nothing is left, on success ...
    let scratch = site.path("scratch");
    std::fs::create_dir(&scratch).unwrap();
    let dir = scratch.to_str().unwrap();
    ingest(store, &[("STELLA_TEST_INGEST_SCRATCH", dir)]);
    assert_eq!(names(&scratch), Vec::<String>::new());
    // ... and what an ingest killed before it could clean up left behind
    // goes with the next ingest of the home.
    let stale = scratch.join(".ingest-scratch-stale");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("scratch.db"), b"left by a killed ingest").unwrap();
    let fresh = Site::on(store, "site-b");
    let [first, _] = history();
    fresh
        .run(&["feedser", "ingest", "osv", &first])
        .env("STELLA_TEST_INGEST_SCRATCH", dir)
        .go()
        .ok();
    assert_eq!(names(&scratch), Vec::<String>::new());
}

crate::on_both_stores!(
    without_a_scratch_space_the_per_record_path_ends_alike,
    the_scratch_space_is_beside_the_store_and_goes_when_done,
);
