//! The layouts osv.dev and the databases publish: an `all.zip` with entries
//! in folders, a directory tree, an `.ndjson` file, several paths in one run,
//! and `--prune` scoped to the sources that the run read.

use std::io::Write;
use std::path::Path;

use crate::harness::*;

/// A record of `id` for CVE `cve` in npm package `name`.
fn record(id: &str, cve: &str, name: &str) -> String {
    format!(
        r#"{{"id":"{id}","aliases":["{cve}"],"affected":[{{"package":{{"ecosystem":"npm","name":"{name}"}}}}]}}"#
    )
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn zip(path: &Path, entries: &[(&str, String)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, text) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

/// `source_advisory_id` of every edge, sorted.
fn record_ids(site: &Site) -> Vec<String> {
    site.edge_fields("source_advisory_id")
}

#[test]
fn a_tree_a_foldered_zip_and_an_ndjson_file_in_one_run() {
    let a = Site::new("site-a");
    let tree = a.path("tree");
    write(
        &tree.join("2024/DSA-0001-1.json"),
        &record("DSA-0001-1", "CVE-2024-8001", "a"),
    );
    write(
        &tree.join("2023/sub/DLA-0002-1.json"),
        &record("DLA-0002-1", "CVE-2024-8002", "b"),
    );
    write(
        &tree.join(".git/DSA-0009-1.json"),
        &record("DSA-0009-1", "CVE-2024-8009", "z"),
    );
    write(&tree.join("README.md"), "not a record");
    let lines = [
        record("GO-2024-0003", "CVE-2024-8003", "c"),
        record("GO-2024-0004", "CVE-2024-8004", "d"),
    ];
    write(&tree.join("more.ndjson"), &lines.join("\n"));
    let all = a.path("all.zip");
    zip(
        &all,
        &[
            (
                "PyPI/PYSEC-2024-0005.json",
                record("PYSEC-2024-0005", "CVE-2024-8005", "e"),
            ),
            ("PyPI/", String::new()),
            ("notes.txt", "x".into()),
        ],
    );
    let single = a.path("one.ndjson");
    write(
        &single,
        &record("GHSA-aaaa-bbbb-0006", "CVE-2024-8006", "f"),
    );
    let out = a
        .cmd(&[
            "feedser",
            "ingest",
            "osv",
            "--json",
            tree.to_str().unwrap(),
            all.to_str().unwrap(),
            single.to_str().unwrap(),
        ])
        .ok()
        .json();
    assert_eq!(out["counts"]["records_read"], 6, "{out}");
    assert_eq!(out["refusals"], serde_json::json!([]), "{out}");
    assert_eq!(
        record_ids(&a),
        [
            "DLA-0002-1",
            "DSA-0001-1",
            "GHSA-aaaa-bbbb-0006",
            "GO-2024-0003",
            "GO-2024-0004",
            "PYSEC-2024-0005"
        ]
    );
}

#[test]
fn a_bad_line_of_an_ndjson_file_is_named_by_position() {
    let a = Site::new("site-a");
    let file = a.path("db.ndjson");
    let text = format!(
        "{}\n{{\"id\": 7}}\n",
        record("GO-2024-0003", "CVE-2024-8003", "c")
    );
    write(&file, &text);
    let out = a
        .cmd(&["feedser", "ingest", "osv", file.to_str().unwrap()])
        .code(9);
    let origin = format!("{}#2", file.display());
    assert!(
        out.stderr.contains(&format!("`{origin}`")),
        "{}",
        out.stderr
    );
    assert_eq!(record_ids(&a), ["GO-2024-0003"]);
}

#[test]
fn prune_only_touches_the_sources_the_run_read() {
    let a = Site::new("site-a");
    let (debian, go) = (a.path("debian"), a.path("go"));
    write(
        &debian.join("DSA-0001-1.json"),
        &record("DSA-0001-1", "CVE-2024-8001", "a"),
    );
    write(
        &debian.join("DSA-0002-1.json"),
        &record("DSA-0002-1", "CVE-2024-8002", "b"),
    );
    write(
        &go.join("GO-2024-0003.json"),
        &record("GO-2024-0003", "CVE-2024-8003", "c"),
    );
    a.cmd(&[
        "feedser",
        "ingest",
        "osv",
        debian.to_str().unwrap(),
        go.to_str().unwrap(),
    ])
    .ok();
    std::fs::remove_file(debian.join("DSA-0002-1.json")).unwrap();
    a.cmd(&["feedser", "ingest", "osv", "--prune", debian.to_str().unwrap()])
        .ok()
        .stdout_is(
            "Read 1 record: 0 ingested, 1 unchanged, 0 refused\nCanonicals: 0 created, 0 updated, 0 withdrawn, 0 deleted (superseded), 1 pruned\n",
        );
    assert_eq!(record_ids(&a), ["DSA-0001-1", "GO-2024-0003"]);
}
