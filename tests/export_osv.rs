//! Issue #29, `feedser export osv`: the site's advisories as an offline OSV
//! database in osv.dev's layout, through the real binary.

mod round_trip;
mod safety;
mod schema;

use round_trip::{
    real_bitnami_history_round_trips, real_pypa_history_round_trips, shipped_history_round_trips,
};

use safety::{
    a_failed_export_leaves_nothing, a_reader_never_sees_a_partial_zip,
    hostile_ids_stay_inside_the_directory,
};

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use crate::harness::{Backend, Site, fixture, mode_and_plain};

/// The files under `dir`, relative, with their bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_str().unwrap().to_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// Every entry of a zip: (name, bytes), in archive order.
fn entries(zip: &Path) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            (file.name().unwrap().into_owned(), bytes)
        })
        .collect()
}

fn export(site: &Site, dir: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["feedser", "export", "osv", dir.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    site.json(&args)
}

fn ingest(site: &Site, path: &Path) {
    let path = path.to_str().unwrap();
    site.cmd(&["feedser", "ingest", "osv", "--prune", path])
        .ok();
}

/// osv.dev's offline layout: `<Ecosystem>/all.zip` of flat `<ID>.json`
/// entries, each named after its record's id, plus the top-level files;
/// every record is valid against the OSV schema; a second export of the same
/// store is byte-identical.
fn layout_schema_and_determinism(store: Backend) {
    let a = Site::on(store, "site-a");
    ingest(&a, &fixture("osv/pypi-2024-10-10"));
    let dir = a.path("osv");
    let out = a
        .cmd(&["feedser", "export", "osv", dir.to_str().unwrap()])
        .ok();
    let cursor =
        a.json(&["feedser", "export", "osv", dir.to_str().unwrap(), "--json"])["export_cursor"]
            .as_str()
            .unwrap()
            .to_owned();
    assert_eq!(
        out.stdout,
        format!(
            "OSV database {}: 24 records (3 withdrawn) in 1 ecosystem\n  Export cursor: {cursor}\n  Ecosystems: PyPI\n",
            dir.display()
        )
    );
    let files = tree(&dir);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "PyPI/all.zip",
            "PyPI/modified_id.csv",
            "all.zip",
            "modified_id.csv"
        ]
    );
    // Readable as any file the user makes (a scanner may be another user),
    // not private as a temporary file.
    for name in &names {
        let (file, plain) = mode_and_plain(&dir.join(name));
        assert_eq!(file, plain, "{name}");
    }
    let records = entries(&dir.join("PyPI/all.zip"));
    assert_eq!(records, entries(&dir.join("all.zip")));
    assert_eq!(records.len(), 24);
    assert_eq!(schema::validate_zip(&dir.join("all.zip")), 24);
    let mut csv = Vec::new();
    for (name, bytes) in &records {
        let record: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        assert_eq!(format!("{}.json", record["id"].as_str().unwrap()), *name);
        assert_eq!(record["schema_version"], "1.6.0");
        csv.push((
            record["modified"].as_str().unwrap().to_owned(),
            record["id"].as_str().unwrap().to_owned(),
        ));
    }
    csv.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    let lines: String = csv.iter().map(|(m, id)| format!("{m},{id}\n")).collect();
    assert_eq!(
        String::from_utf8(files["PyPI/modified_id.csv"].clone()).unwrap(),
        lines
    );
    let top: String = csv
        .iter()
        .map(|(m, id)| format!("{m},PyPI/{id}\n"))
        .collect();
    assert_eq!(
        String::from_utf8(files["modified_id.csv"].clone()).unwrap(),
        top
    );
    let again = a.path("osv-again");
    export(&a, &again, &[]);
    assert!(tree(&again) == files, "a second export differs");
}

/// The external sort that keeps memory flat gives the same files when it
/// spills: a budget of a few hundred bytes sorts the 24 records' entries in
/// many small runs, and the export is byte-identical to one that sorted in
/// memory; no scratch file is left. (The merge of more runs than it opens
/// at once is the unit tests' `spill`.)
fn spilling_changes_no_byte(store: Backend) {
    let a = Site::on(store, "site-a");
    ingest(&a, &fixture("osv/pypi-2024-10-10"));
    let dir = a.path("osv");
    export(&a, &dir, &[]);
    let spilled = a.path("osv-spilled");
    let args = ["feedser", "export", "osv", spilled.to_str().unwrap()];
    a.run(&args).env("STELLA_TEST_SORT_BUDGET", "300").go().ok();
    assert!(tree(&spilled) == tree(&dir), "a spilled export differs");
    let names: Vec<String> = tree(&spilled).into_keys().collect();
    assert_eq!(
        names,
        [
            "PyPI/all.zip",
            "PyPI/modified_id.csv",
            "all.zip",
            "modified_id.csv"
        ]
    );
}

/// One advisory, as the shipped sample has it: withdrawn, CVE alias, CVSS,
/// GIT range and fix commit all written the way osv.dev writes them.
fn one_record_in_full(store: Backend) {
    let a = Site::on(store, "site-a");
    ingest(&a, &fixture("osv/pypi-2024-10-10"));
    let dir = a.path("osv");
    export(&a, &dir, &[]);
    let records: BTreeMap<String, Vec<u8>> = entries(&dir.join("all.zip")).into_iter().collect();
    let text = |id: &str| String::from_utf8(records[&format!("{id}.json")].clone()).unwrap();
    let withdrawn: serde_json::Value = serde_json::from_str(&text("PYSEC-2021-125")).unwrap();
    assert_eq!(withdrawn["withdrawn"], withdrawn["modified"]);
    let git: serde_json::Value = serde_json::from_str(&text("PYSEC-2024-100")).unwrap();
    assert_eq!(git["severity"][0]["type"], "CVSS_V3");
    assert_eq!(git["affected"][0]["package"]["ecosystem"], "PyPI");
    assert!(
        git["affected"][0]["ranges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["type"] == "GIT" && r["repo"].is_string()),
        "{git}"
    );
    assert!(
        !records.contains_key("PYSEC-2009-10.json")
            || text("PYSEC-2009-10").contains("\"id\":\"PYSEC-2009-10\"")
    );
}

/// `--since`: only the advisories changed after the cursor, as
/// `<Ecosystem>/<ID>.json`, and their `modified_id.csv`; a cursor may be
/// any point of the feed (issue #22).
fn since_writes_the_changed_records(store: Backend) {
    let a = Site::on(store, "site-a");
    ingest(&a, &fixture("osv/pypi-2024-01-01"));
    let first = export(&a, &a.path("full"), &[]);
    let cursor = first["export_cursor"].as_str().unwrap().to_owned();
    ingest(&a, &fixture("osv/pypi-2024-10-10"));
    let dir = a.path("delta");
    let report = export(&a, &dir, &["--since", &cursor]);
    let changed = [
        "PYSEC-2009-10",
        "PYSEC-2009-11",
        "PYSEC-2018-117",
        "PYSEC-2021-125",
        "PYSEC-2021-878",
        "PYSEC-2022-43059",
        "PYSEC-2023-177",
        "PYSEC-2023-194",
        "PYSEC-2024-1",
        "PYSEC-2024-100",
    ];
    assert_eq!(report["counts"]["records"], changed.len());
    let files = tree(&dir);
    let mut expected: Vec<String> = changed.iter().map(|id| format!("PyPI/{id}.json")).collect();
    expected.extend(["PyPI/modified_id.csv".into(), "modified_id.csv".into()]);
    expected.sort();
    assert_eq!(files.keys().cloned().collect::<Vec<_>>(), expected);
    let full: BTreeMap<String, Vec<u8>> = {
        export(&a, &a.path("full-now"), &[]);
        entries(&a.path("full-now/all.zip")).into_iter().collect()
    };
    for id in changed {
        assert_eq!(
            files[&format!("PyPI/{id}.json")],
            full[&format!("{id}.json")],
            "{id}"
        );
    }
    let csv = String::from_utf8(files["PyPI/modified_id.csv"].clone()).unwrap();
    let mut ids: Vec<&str> = csv.lines().map(|l| l.split_once(',').unwrap().1).collect();
    ids.sort();
    assert_eq!(ids, changed);
    // Any point, as a person writes it: after everything, nothing changed;
    // before everything, every record.
    let later = export(
        &a,
        &a.path("later"),
        &["--since", "2099-01-01T00:00:00Z#0000"],
    );
    assert_eq!(later["counts"]["records"], 0);
    let all = export(
        &a,
        &a.path("all"),
        &["--since", "2020-01-01T00:00:00Z#9999"],
    );
    assert_eq!(all["counts"]["records"], full.len());
}

/// `bundle import --osv-out DIR`: after the import, DIR holds the site's
/// whole database.
fn import_refreshes_the_database(store: Backend) {
    let (a, b) = crate::harness::federated_pair(store);
    let bundle = a.export("full.tar.zst", &[]);
    let dir = b.path("osv");
    let out = b
        .cmd(&[
            "feedser",
            "bundle",
            "import",
            bundle.to_str().unwrap(),
            "--osv-out",
            dir.to_str().unwrap(),
        ])
        .ok();
    let last = out.stdout.lines().rev().take(3).collect::<Vec<_>>();
    assert_eq!(last[0], "  Ecosystems: PyPI", "{}", out.stdout);
    assert!(
        last[2].starts_with(&format!(
            "OSV database {}: 21 records (2 withdrawn) in 1 ecosystem",
            dir.display()
        )),
        "{}",
        out.stdout
    );
    assert_eq!(entries(&dir.join("PyPI/all.zip")).len(), 21);
    let from_a = a.path("osv-a");
    export(&a, &from_a, &[]);
    assert!(
        tree(&from_a)["all.zip"] == tree(&dir)["all.zip"],
        "B's database differs from A's"
    );
}

/// The benchmark's synthetic site: every record of every zip is valid
/// against the OSV schema (its `NVD-` ids aside: NVD is no home database
/// the schema lists), and each ecosystem's zip holds its records.
fn synthetic_records_are_valid(store: Backend) {
    let a = Site::on(store, "site-a");
    a.cmd(&["dev", "gen-data", "--count", "400", "--seed", "3"])
        .ok();
    let dir = a.path("osv");
    let report = export(&a, &dir, &[]);
    let total = schema::validate_zip_but(&dir.join("all.zip"), &["NVD"]);
    assert_eq!(report["counts"]["records"], total);
    let mut per = 0;
    for ecosystem in report["ecosystems"].as_array().unwrap() {
        let zip = dir.join(ecosystem.as_str().unwrap()).join("all.zip");
        per += schema::validate_zip_but(&zip, &["NVD"]);
    }
    assert!(
        total > 400 && per >= total,
        "{total} records, {per} by ecosystem"
    );
}

crate::on_both_stores!(
    synthetic_records_are_valid,
    shipped_history_round_trips,
    real_pypa_history_round_trips,
    real_bitnami_history_round_trips,
    layout_schema_and_determinism,
    one_record_in_full,
    since_writes_the_changed_records,
    import_refreshes_the_database,
    hostile_ids_stay_inside_the_directory,
    a_reader_never_sees_a_partial_zip,
    a_failed_export_leaves_nothing,
    spilling_changes_no_byte,
);
