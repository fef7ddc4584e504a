//! Issues #22 item 6 and #23 items 1/3, on stores an older stella wrote:
//! edge sources guessed from id prefixes (`bit`) are renamed to the table's
//! names (`bitnami`) with their edge ids, so the store equals a fresh
//! ingest; a peer's bundle with guessed names is mapped on import; and
//! `canonical-imported` events read back in the document's shape.

use stella::model::edge_id;

use crate::harness::*;

/// 2030-01-15T10:30:15.123Z, the clock of the commands that pin it.
const NOW: &str = "1894703415123";

fn at_now(site: &Site, args: &[&str]) -> Outcome {
    site.run(args).env("STELLA_TEST_NOW_MS", NOW).go().ok()
}

fn ingest(site: &Site, dirs: &[&str]) {
    for dir in dirs {
        let path = fixture(&format!("osv/{dir}"));
        at_now(site, &["feedser", "ingest", "osv", path.to_str().unwrap()]);
    }
}

/// Runs SQL on the site's store (the PostgreSQL schema `vuln`).
fn sql(site: &Site, text: &str) {
    match &site.database {
        None => {
            let db = rusqlite::Connection::open(site.home().join("stella.db")).unwrap();
            db.execute_batch(text).unwrap();
        }
        Some(db) => {
            let mut client = ::postgres::Client::connect(&db.url(), ::postgres::NoTls).unwrap();
            client
                .batch_execute(&format!("SET search_path TO vuln; {text}"))
                .unwrap();
        }
    }
}

/// The rows of a query whose columns are all text.
fn query(site: &Site, text: &str) -> Vec<Vec<String>> {
    match &site.database {
        None => {
            let db = rusqlite::Connection::open(site.home().join("stella.db")).unwrap();
            let mut stmt = db.prepare(text).unwrap();
            let n = stmt.column_count();
            let rows = stmt.query_map([], |r| (0..n).map(|i| r.get(i)).collect());
            rows.unwrap().collect::<Result<_, _>>().unwrap()
        }
        Some(db) => {
            let mut client = ::postgres::Client::connect(&db.url(), ::postgres::NoTls).unwrap();
            client.batch_execute("SET search_path TO vuln").unwrap();
            let rows = client.query(text, &[]).unwrap();
            rows.iter()
                .map(|r| (0..r.len()).map(|i| r.get(i)).collect())
                .collect()
        }
    }
}

/// Takes the store back to `sqlite`'s or `postgres`'s schema version.
fn set_version(site: &Site, sqlite: i64, postgres: i64) {
    match site.database {
        None => sql(site, &format!("PRAGMA user_version = {sqlite};")),
        Some(_) => sql(
            site,
            &format!("UPDATE schema_version SET version = {postgres};"),
        ),
    }
}

/// Stores every edge of source `new` as an older stella did: named `old`,
/// with the edge id derived from that name (and, in SQLite, the export
/// bytes to match). With `twin`, the first edge keeps its new name and gets
/// a guessed twin beside it, as a newer ingest of the same record left it.
fn as_guessed(site: &Site, new: &str, old: &str, twin: bool) -> usize {
    let edges = query(
        site,
        &format!(
            "SELECT merge_hash, CAST(canonical_id AS TEXT), source_advisory_id, CAST(id AS TEXT) \
             FROM edges WHERE source = '{new}' ORDER BY merge_hash, source_advisory_id"
        ),
    );
    for (i, e) in edges.iter().enumerate() {
        let (hash, advisory, id) = (&e[0], &e[2], &e[3]);
        let guessed = edge_id(&e[1].parse().unwrap(), old, advisory).to_string();
        let row = format!("merge_hash = '{hash}' AND source_advisory_id = '{advisory}'");
        if twin && i == 0 {
            sql(
                site,
                &format!(
                    "INSERT INTO edges (merge_hash, source, source_advisory_id, id, canonical_id, \
                     vendor_status, source_sha256) SELECT merge_hash, '{old}', source_advisory_id, \
                     '{guessed}', canonical_id, vendor_status, source_sha256 FROM edges \
                     WHERE {row} AND source = '{new}';"
                ),
            );
            continue;
        }
        sql(
            site,
            &format!(
                "UPDATE edges SET source = '{old}', id = '{guessed}' WHERE {row} AND source = '{new}';"
            ),
        );
        if site.database.is_none() {
            sql(
                site,
                &format!(
                    "UPDATE export_lines SET edge_lines = replace(replace(edge_lines, '{id}', \
                     '{guessed}'), '\"source\":\"{new}\"', '\"source\":\"{old}\"') \
                     WHERE edge_lines LIKE '%{id}%';"
                ),
            );
        }
    }
    edges.len()
}

/// The NDJSON members of a bundle, by name.
fn rows(bundle: &std::path::Path) -> Vec<(String, String)> {
    let tar = zstd::decode_all(&std::fs::read(bundle).unwrap()[..]).unwrap();
    let mut archive = tar::Archive::new(&tar[..]);
    let mut out = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().display().to_string();
        if name.ends_with(".ndjson") {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
            out.push((name, text));
        }
    }
    out
}

fn full_export(site: &Site) -> Vec<(String, String)> {
    let path = site.path("full.tar.zst");
    let args = [
        "feedser",
        "bundle",
        "export",
        "--unsigned",
        "-o",
        path.to_str().unwrap(),
    ];
    at_now(site, &args);
    rows(&path)
}

const GUESSES: &[(&str, &str)] = &[
    ("bitnami", "bit"),
    ("debian", "dsa"),
    ("ubuntu", "usn"),
    ("almalinux", "alsa"),
    ("redhat", "rhba"),
];

fn guessed_sources_migrate_to_what_a_fresh_ingest_names(store: Backend) {
    let data = ["bitnami-2025-01-01", "distro"];
    let fresh = Site::on(store, "site-a");
    ingest(&fresh, &data);
    let old = Site::on(store, "site-a");
    ingest(&old, &data);
    for (i, (new, guess)) in GUESSES.iter().enumerate() {
        assert!(as_guessed(&old, new, guess, i == 0) > 0, "{new}");
    }
    let sources = "SELECT DISTINCT source FROM edges ORDER BY source";
    let before: Vec<String> = query(&old, sources).concat();
    assert_eq!(
        before,
        ["alsa", "bit", "bitnami", "dsa", "ghsa", "rhba", "usn"]
    );
    set_version(&old, 8, 4);
    old.cmd(&["db", "migrate"]).ok();
    assert_eq!(
        query(&old, sources).concat(),
        ["almalinux", "bitnami", "debian", "ghsa", "redhat", "ubuntu"]
    );
    assert_same(
        &old.canonicals(),
        &fresh.canonicals(),
        "migrated against fresh",
    );
    assert_eq!(full_export(&old), full_export(&fresh));
}

/// A peer still on an older stella sends `bit`: the importing site keeps
/// `bitnami`, with the edge id a fresh ingest gives, and equals that ingest.
fn a_peer_s_guessed_sources_are_mapped_on_import(store: Backend) {
    let (old, b) = (Site::on(store, "site-a"), Site::on(store, "site-b"));
    b.trust(&old, &old.with_key());
    ingest(&old, &["bitnami-2025-01-01"]);
    as_guessed(&old, "bitnami", "bit", false);
    let bundle = old.export("old.tar.zst", &[]);
    assert!(
        rows(&bundle)
            .iter()
            .any(|(_, t)| t.contains("\"source\":\"bit\""))
    );
    at_now(
        &b,
        &["feedser", "bundle", "import", bundle.to_str().unwrap()],
    );
    let fresh = Site::on(store, "site-a");
    ingest(&fresh, &["bitnami-2025-01-01"]);
    assert_same(
        &b.canonicals(),
        &fresh.canonicals(),
        "imported against fresh",
    );
    assert_eq!(b.edge_fields("source").last().unwrap(), "bitnami");
    // A policy naming the table's name admits them.
    let c = Site::on(store, "site-c");
    c.trust(&old, &old.path("site-a.pub.pem"));
    c.cmd(&[
        "feedser",
        "sites",
        "policy",
        "site-a",
        "--allowed-sources",
        "bitnami",
    ])
    .ok();
    at_now(
        &c,
        &["feedser", "bundle", "import", bundle.to_str().unwrap()],
    );
    assert_same(
        &c.canonicals(),
        &fresh.canonicals(),
        "filtered against fresh",
    );
}

/// B after importing A's full bundle at [`NOW`], and the bundle's hash.
fn imported(store: Backend) -> (Site, String) {
    let (a, b) = federated_pair(store);
    let bundle = a.export("full.tar.zst", &[]);
    let args = [
        "feedser",
        "bundle",
        "import",
        bundle.to_str().unwrap(),
        "--json",
    ];
    let out = at_now(&b, &args).json();
    (b, out["bundle_hash"].as_str().unwrap().to_owned())
}

fn an_event_has_the_document_s_fields(store: Backend) {
    let (b, bundle_hash) = imported(store);
    let events = b.cmd(&["feedser", "events", "--json"]).ok().stdout;
    let first = events.lines().next().unwrap();
    let event: serde_json::Value = serde_json::from_str(first).unwrap();
    let hash = event["merge_hash"].as_str().unwrap();
    let got = b.json(&["feedser", "canonical", "get", hash, "--json"]);
    let c = &got["canonical"];
    let cursor = event["local_cursor"].as_str().unwrap();
    assert_eq!(
        first,
        format!(
            "{{\"event_id\":1,\"event_type\":\"canonical-imported\",\"canonical_id\":\"{}\",\
             \"cve\":\"{}\",\"affects_key\":\"{}\",\"merge_hash\":\"{hash}\",\
             \"action\":\"Created\",\"bundle_hash\":\"{bundle_hash}\",\"site_id\":\"site-a\",\
             \"imported_at\":\"2030-01-15T10:30:15Z\",\"local_cursor\":\"{cursor}\"}}",
            c["id"].as_str().unwrap(),
            c["cve"].as_str().unwrap(),
            c["affects_key"].as_str().unwrap(),
        )
    );
    let table = b.cmd(&["feedser", "events", "--limit", "1"]).ok().stdout;
    assert!(
        table.lines().nth(1).unwrap().contains(" Created "),
        "{table}"
    );
}

fn an_event_stored_in_the_old_shape_reads_back_in_the_new(store: Backend) {
    let (b, _) = imported(store);
    let new = b.cmd(&["feedser", "events", "--json"]).ok().stdout;
    // As stella stored events before: `source_site_id`, lowercase actions,
    // the import time with milliseconds.
    sql(
        &b,
        "ALTER TABLE events RENAME COLUMN site_id TO source_site_id; \
         UPDATE events SET action = lower(action), imported_at = '2030-01-15T10:30:15.123Z';",
    );
    set_version(&b, 7, 3);
    b.cmd(&["db", "migrate"]).ok();
    let migrated = b.cmd(&["feedser", "events", "--json"]).ok().stdout;
    assert_eq!(migrated, new);
    assert!(migrated.contains("\"action\":\"Created\""), "{migrated}");
}

on_both_stores!(
    guessed_sources_migrate_to_what_a_fresh_ingest_names,
    a_peer_s_guessed_sources_are_mapped_on_import,
    an_event_has_the_document_s_fields,
    an_event_stored_in_the_old_shape_reads_back_in_the_new,
);
