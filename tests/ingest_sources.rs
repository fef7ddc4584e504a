//! Sources named after their database: the table, `ingest osv --source`,
//! `sites policy --allowed-sources` checking names, and the Bitnami history
//! (`BIT-` ids, source `bitnami`) federating from A to B.

use std::path::PathBuf;

use crate::harness::*;

/// Every distinct edge `source` of a site.
fn sources(site: &Site) -> Vec<String> {
    let mut out = site.edge_fields("source");
    out.dedup();
    out
}

fn record(dir: &std::path::Path, id: &str) {
    let text = format!(
        r#"{{"id":"{id}","aliases":["CVE-2024-7001"],"affected":[{{"package":{{"ecosystem":"npm","name":"left-pad"}}}}]}}"#
    );
    std::fs::write(dir.join(format!("{id}.json")), text).unwrap();
}

#[test]
fn source_flag_names_only_records_the_table_does_not_know() {
    let a = Site::new("site-a");
    let dir = a.path("osv");
    std::fs::create_dir(&dir).unwrap();
    record(&dir, "XYZ-2024-0001");
    record(&dir, "GHSA-aaaa-bbbb-cccc");
    a.cmd(&[
        "feedser",
        "ingest",
        "osv",
        "--source",
        "acme",
        dir.to_str().unwrap(),
    ])
    .ok();
    assert_eq!(sources(&a), ["acme", "ghsa"]);
    a.cmd(&["feedser", "ingest", "osv", "--source", "Acme Corp", dir.to_str().unwrap()])
        .code(2)
        .stderr_is(
            "error: invalid value 'Acme Corp' for '--source <NAME>': `Acme Corp` is not a source name: use 1 to 64 lowercase letters, digits, `-` or `_`, e.g. `acme`\n\nFor more information, try '--help'.\n",
        );
}

#[test]
fn allowed_sources_must_be_known() {
    let a = Site::new("site-a");
    let b = Site::new("site-b");
    b.trust(&a, &a.with_key());
    let policy = |list: &str| {
        b.run(&[
            "feedser",
            "sites",
            "policy",
            "site-a",
            "--allowed-sources",
            list,
        ])
    };
    let out = policy("nvd,acme,bogus").go();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.starts_with(
            "error: unknown sources `acme`, `bogus`: use names of the table of sources or of edges this store holds: almalinux, alpine, android,"
        ),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(", bitnami, "), "{}", out.stderr);
    let shown = b.cmd(&["feedser", "sites", "policy", "site-a"]).ok().stdout;
    assert!(shown.contains("Allowed sources: all\n"), "{shown}");
    // A name the store holds edges from is known.
    let dir = b.path("osv");
    std::fs::create_dir(&dir).unwrap();
    record(&dir, "XYZ-2024-0001");
    b.cmd(&[
        "feedser",
        "ingest",
        "osv",
        "--source",
        "acme",
        dir.to_str().unwrap(),
    ])
    .ok();
    let out = policy("nvd,acme,bitnami").go();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("Allowed sources: acme,bitnami,nvd\n"),
        "{}",
        out.stdout
    );
}

/// Ingests each snapshot at A with `--prune`, exports the delta, imports it
/// at B: B equals A at each step, and every edge's source is `bitnami`.
fn bitnami_history_federates(snapshots: &[PathBuf]) {
    let (a, b) = (Site::new("site-a"), Site::new("site-b"));
    b.trust(&a, &a.with_key());
    let mut since: Option<String> = None;
    for (i, snapshot) in snapshots.iter().enumerate() {
        let ingested = a
            .cmd(&[
                "feedser",
                "ingest",
                "osv",
                "--prune",
                "--json",
                snapshot.to_str().unwrap(),
            ])
            .ok()
            .json();
        assert_eq!(ingested["refusals"], serde_json::json!([]), "{ingested}");
        let name = format!("step{i}.tar.zst");
        let mut args = vec!["feedser", "bundle", "export", "-o", &name, "--json"];
        if let Some(cursor) = &since {
            args.extend(["-c", cursor.as_str()]);
        }
        let export = a.cmd(&args).ok().json();
        // A large delta comes in parts: import each, in order.
        for part in export["bundles"].as_array().unwrap() {
            let bundle = a.path(part["path"].as_str().unwrap());
            let imported = b
                .cmd(&[
                    "feedser",
                    "bundle",
                    "import",
                    bundle.to_str().unwrap(),
                    "--json",
                ])
                .ok()
                .json();
            assert_eq!(imported["counts"]["conflicts"], 0, "{imported}");
        }
        assert_same(&b.canonicals(), &a.canonicals(), "B against A");
        assert_eq!(sources(&b), ["bitnami"]);
        since = Some(export["export_cursor"].as_str().unwrap().to_owned());
    }
}

#[test]
fn bitnami_sample_federates_with_source_bitnami() {
    let snapshots = [
        fixture("osv/bitnami-2025-01-01"),
        fixture("osv/bitnami-2026-06-01"),
    ];
    bitnami_history_federates(&snapshots);
}

#[test]
fn bitnami_history_federates_with_source_bitnami() {
    let (Some(old), Some(new)) = (
        shared_osv("Bitnami-2025-01-01.zip"),
        shared_osv("Bitnami-2026-06-01.zip"),
    ) else {
        return;
    };
    bitnami_history_federates(&[old, new]);
}
