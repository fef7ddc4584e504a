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
    federates_and_rounds_update(store, "default");
}

/// The long shape (long texts, CVSS v4, several ranges of several events)
/// passes every reader check and reads back as it was written, as the
/// default one does.
fn the_long_shape_federates_and_rounds_update(store: Backend) {
    federates_and_rounds_update(store, "long");
}

/// A site of `shape` exports whole, validates and imports equal at a peer;
/// round 1 then updates the records it rewrites, through a delta.
fn federates_and_rounds_update(store: Backend, shape: &str) {
    let a = Site::on(store, "site-a");
    let key = a.with_key();
    let out = a
        .cmd(&[
            "dev", "gen-data", "--count", "300", "--seed", "9", "--shape", shape,
        ])
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
            "--shape",
            shape,
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
        // Each site's rows are its own versions: the same content, each
        // with its own site as origin.
        site.contents()
    };
    let one = generate("site-a", "5");
    assert_eq!(one.len(), 40);
    assert_same(&one, &generate("site-b", "5"), "two sites with seed 5");
    assert_ne!(one, generate("site-c", "6"));
}

/// The bench's ingest step: a long-shape site's OSV database ingests whole
/// at a fresh site, every record taken and none refused.
fn the_long_shape_goes_out_as_osv_and_ingests(store: Backend) {
    let a = Site::on(store, "site-a");
    a.cmd(&["dev", "gen-data", "--count", "60", "--shape", "long"])
        .ok();
    let osv = a.path("osv");
    a.cmd(&["feedser", "export", "osv", osv.to_str().unwrap()])
        .ok();
    let i = Site::on(store, "site-i");
    let all = osv.join("all.zip");
    let report = i.json(&["feedser", "ingest", "osv", all.to_str().unwrap(), "--json"]);
    let read = report["counts"]["records_read"].as_u64().unwrap();
    assert!(read >= 60, "{report}");
    assert_eq!(report["counts"]["records_ingested"], read, "{report}");
    assert_eq!(report["counts"]["records_refused"], 0, "{report}");
    assert!(
        report["counts"]["canonical_created"].as_u64().unwrap() >= 60,
        "{report}"
    );
}

/// Members over a megabyte are spooled on threads of their own, and a
/// bundle over 128 KiB is hashed on one: the bytes are the same whatever the
/// worker count, and the bundle reads back whole.
fn a_large_export_is_the_same_on_any_thread_count(store: Backend) {
    let a = Site::on(store, "site-a");
    let key = a.with_key();
    let out = a
        .cmd(&["dev", "gen-data", "--count", "2500", "--seed", "3"])
        .ok();
    let (canonicals, edges, deletions) = written(&out.stdout, 3, 0);
    // One bundle, not a chain of the default size.
    let whole = ["--max-items", "1000000", "--threads"];
    let one = std::fs::read(a.export("one.tar.zst", &[&whole[..], &["1"]].concat())).unwrap();
    let two = a.export("two.tar.zst", &[&whole[..], &["2"]].concat());
    assert!(one.len() > 128 << 10, "{} bytes", one.len());
    assert!(one == std::fs::read(&two).unwrap(), "the bytes differ");
    let b = Site::on(store, "site-b");
    b.trust(&a, &key);
    let report = b.json(&[
        "feedser",
        "bundle",
        "validate",
        two.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(report["success"], true, "{report}");
    assert_eq!(
        report["counts"],
        serde_json::json!({
            "canonicals": canonicals,
            "edges": edges,
            "deletions": deletions,
            "total": canonicals + edges + deletions,
        })
    );
    let tar = zstd::decode_all(&one[..]).unwrap();
    let sizes: Vec<(String, u64)> = (tar::Archive::new(&tar[..]).entries().unwrap())
        .map(|e| e.unwrap())
        .map(|e| (e.path().unwrap().display().to_string(), e.size()))
        .filter(|(path, _)| path.ends_with(".ndjson"))
        .collect();
    assert!(sizes[0].1 > 1 << 20 && sizes[1].1 > 1 << 20, "{sizes:?}");
}

on_both_stores!(
    generated_site_federates_and_rounds_update,
    the_long_shape_federates_and_rounds_update,
    the_long_shape_goes_out_as_osv_and_ingests,
    the_same_seed_gives_the_same_rows,
    a_large_export_is_the_same_on_any_thread_count
);
