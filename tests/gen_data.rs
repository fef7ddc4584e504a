//! `stella dev gen-data`: the benchmark's synthetic site, through the binary.

use crate::harness::*;

/// "Wrote C canonicals, E edges, D deletions (seed S, round R)": (C, E, D).
fn written(stdout: &str, seed: u64, round: u32) -> (u64, u64, u64) {
    let tail = format!(" (seed {seed}, round {round})\n");
    let body = stdout
        .strip_prefix("Wrote ")
        .and_then(|s| s.strip_suffix(&tail))
        .unwrap_or_else(|| panic!("unexpected report: {stdout:?}"));
    let n: Vec<u64> = body
        .split(", ")
        .map(|part| part.split(' ').next().unwrap().parse().unwrap())
        .collect();
    (n[0], n[1], n[2])
}

fn generated_site_federates_and_rounds_update(store: Backend) {
    let a = Site::on(store, "site-a");
    let key = a.with_key();
    let out = a
        .cmd(&["dev", "gen-data", "--count", "300", "--seed", "9"])
        .ok();
    let (canonicals, edges, deletions) = written(&out.stdout, 9, 0);
    assert_eq!((canonicals, deletions), (300, 3));
    assert!((300..=1500).contains(&edges), "{edges} edges");
    let b = Site::on(store, "site-b");
    b.trust(&a, &key);
    let full = a.path("full.tar.zst");
    let out = a
        .cmd(&["feedser", "bundle", "export", "-o", full.to_str().unwrap()])
        .ok();
    let cursor = out
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("Export cursor: "))
        .unwrap()
        .to_owned();
    let report = b.json(&[
        "feedser",
        "bundle",
        "validate",
        full.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(report["counts"]["canonicals"], 300);
    assert_eq!(report["counts"]["edges"], edges);
    assert_eq!(report["counts"]["deletions"], 3);
    b.cmd(&["feedser", "bundle", "import", full.to_str().unwrap()])
        .ok();
    assert_same(&a.canonicals(), &b.canonicals(), "after the full import");

    let out = a
        .cmd(&[
            "dev",
            "gen-data",
            "--count",
            "300",
            "--seed",
            "9",
            "--round",
            "1",
            "--changes",
            "30",
        ])
        .ok();
    assert_eq!(written(&out.stdout, 9, 1).0, 30);
    let delta = a.export("delta.tar.zst", &["-c", &cursor]);
    let report = b.json(&[
        "feedser",
        "bundle",
        "import",
        delta.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(report["counts"]["canonical_updated"], 30);
    assert_eq!(report["counts"]["canonical_created"], 0);
    assert_same(&a.canonicals(), &b.canonicals(), "after the delta");
}

fn the_same_seed_gives_the_same_rows(store: Backend) {
    let generate = |id: &str, seed: &str| {
        let site = Site::on(store, id);
        site.cmd(&["dev", "gen-data", "--count", "40", "--seed", seed])
            .ok();
        site.canonicals()
    };
    let one = generate("site-a", "5");
    assert_eq!(one.len(), 40);
    assert_same(&one, &generate("site-b", "5"), "two sites with seed 5");
    assert_ne!(one, generate("site-c", "6"));
}

on_both_stores!(
    generated_site_federates_and_rounds_update,
    the_same_seed_gives_the_same_rows
);
