use crate::harness::*;

fn sample(name: &str) -> String {
    fixture(&format!("osv/{name}")).to_str().unwrap().to_owned()
}

fn sample_history_creates_updates_withdraws_and_supersedes(store: Backend) {
    let a = Site::on(store, "site-a");
    a.cmd(&["feedser", "ingest", "osv", &sample("pypi-2024-01-01")]).ok().stdout_is(
        "Read 21 records: 21 ingested, 0 unchanged, 0 refused\nCanonicals: 20 created, 1 updated, 0 withdrawn, 0 deleted (superseded), 0 pruned\n",
    );
    assert_eq!(a.canonicals().len(), 20);
    a.cmd(&["feedser", "ingest", "osv", "--prune", &sample("pypi-2024-10-10")]).ok().stdout_is(
        "Read 24 records: 10 ingested, 14 unchanged, 0 refused\nCanonicals: 5 created, 4 updated, 1 withdrawn, 2 deleted (superseded), 0 pruned\n",
    );
    assert_eq!(a.canonicals().len(), 23);
    a.cmd(&["feedser", "ingest", "osv", "--prune", &sample("pypi-2024-10-10")]).ok().stdout_is(
        "Read 24 records: 0 ingested, 24 unchanged, 0 refused\nCanonicals: 0 created, 0 updated, 0 withdrawn, 0 deleted (superseded), 0 pruned\nNo changes: the store already holds this data.\n",
    );
}

fn canonical_get_and_list_use_the_indexes(store: Backend) {
    let a = Site::on(store, "site-a");
    a.cmd(&["feedser", "ingest", "osv", &sample("pypi-2024-10-10")])
        .ok();
    let listed = a
        .cmd(&[
            "feedser",
            "canonical",
            "list",
            "--cve",
            "cve-2021-42343",
            "--json",
        ])
        .ok()
        .stdout;
    let rows: Vec<serde_json::Value> = listed
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1, "{listed}");
    let record = &rows[0];
    assert_eq!(record["canonical"]["cve"], "CVE-2021-42343");
    assert_eq!(record["edges"].as_array().unwrap().len(), 2);
    let merge_hash = record["canonical"]["merge_hash"].as_str().unwrap();
    let purl = record["canonical"]["affects_key"].as_str().unwrap();
    let got = a
        .cmd(&["feedser", "canonical", "get", merge_hash, "--json"])
        .ok()
        .json();
    assert_eq!(&got, record);
    let by_purl = a
        .cmd(&[
            "feedser",
            "canonical",
            "list",
            "--purl",
            &format!("{}@1.0?x=y", purl.to_uppercase().replace("PKG:", "pkg:")),
            "--json",
        ])
        .ok()
        .stdout;
    assert!(by_purl.lines().any(|l| l.contains(merge_hash)), "{by_purl}");
    // A malformed hash is a usage error; a well-formed unknown one is not found.
    a.cmd(&["feedser", "canonical", "get", "sha256:0000"])
        .code(2);
    let unknown = format!("sha256:{}", "0".repeat(64));
    a.cmd(&["feedser", "canonical", "get", &unknown])
        .code(12)
        .stderr_is(&format!("error: canonical `{unknown}` not found\n"));
}

fn malformed_records_are_reported_and_skipped(store: Backend) {
    let a = Site::on(store, "site-a");
    let dir = a.path("osv");
    std::fs::create_dir(&dir).unwrap();
    std::fs::copy(
        fixture("osv/pypi-2024-10-10/PYSEC-2023-1.json"),
        dir.join("PYSEC-2023-1.json"),
    )
    .unwrap();
    std::fs::write(
        dir.join("broken.json"),
        "{\"id\": \"PYSEC-X\", \"affected\": ",
    )
    .unwrap();
    std::fs::write(
        dir.join("empty.json"),
        "{\"id\": \"PYSEC-Y\", \"affected\": []}",
    )
    .unwrap();
    let out = a
        .cmd(&["feedser", "ingest", "osv", dir.to_str().unwrap()])
        .code(9);
    assert_eq!(
        out.stdout,
        "Read 3 records: 1 ingested, 0 unchanged, 2 refused\nCanonicals: 1 created, 0 updated, 0 withdrawn, 0 deleted (superseded), 0 pruned\n"
    );
    let d = dir.display();
    out.stderr_is(&format!(
        "stella: refused 1 record: not valid OSV JSON: fix the record at its source\n  \
         a record in `{d}/broken.json` (EOF while parsing a value at line 1 column 30)\n\
         stella: refused 1 record: no affected package: nothing to ingest\n  \
         PYSEC-Y in `{d}/empty.json`\n\
         error: 2 of 3 records were refused (grouped above); the rest were applied\n"
    ));
    assert_eq!(a.canonicals().len(), 1);
}

fn stdin_takes_ndjson(store: Backend) {
    let a = Site::on(store, "site-a");
    let mut ndjson = Vec::new();
    for id in ["PYSEC-2023-1", "PYSEC-2022-250"] {
        let text =
            std::fs::read_to_string(fixture(&format!("osv/pypi-2024-10-10/{id}.json"))).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        ndjson.extend(serde_json::to_vec(&value).unwrap());
        ndjson.push(b'\n');
    }
    a.run(&["feedser", "ingest", "osv", "-"]).stdin(ndjson).go().ok().stdout_is(
        "Read 2 records: 2 ingested, 0 unchanged, 0 refused\nCanonicals: 2 created, 0 updated, 0 withdrawn, 0 deleted (superseded), 0 pruned\n",
    );
}

fn missing_path_fails_clearly(store: Backend) {
    let a = Site::on(store, "site-a");
    let out = a
        .cmd(&["feedser", "ingest", "osv", "/nonexistent/osv"])
        .code(9);
    assert!(out.stderr.contains("/nonexistent/osv"), "{}", out.stderr);
}

fn real_snapshot_zip_ingests_without_failures(store: Backend) {
    let Some(zip) = shared_osv("PyPI-2024-10-10.zip") else {
        return;
    };
    let a = Site::on(store, "site-a");
    let out = a
        .cmd(&["feedser", "ingest", "osv", zip.to_str().unwrap(), "--json"])
        .ok()
        .json();
    assert_eq!(out["counts"]["records_read"], 2661);
    assert_eq!(out["refusals"].as_array().unwrap().len(), 0);
}

crate::on_both_stores!(
    sample_history_creates_updates_withdraws_and_supersedes,
    canonical_get_and_list_use_the_indexes,
    malformed_records_are_reported_and_skipped,
    stdin_takes_ndjson,
    missing_path_fails_clearly,
    real_snapshot_zip_ingests_without_failures,
);
