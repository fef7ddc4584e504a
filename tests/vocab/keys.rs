//! Every `--json` document uses only the names of the vocabulary table in
//! `man/stella-json.7` (#27 "One vocabulary"): each command that takes
//! `--json` runs here, on both stores, and a key the table does not list
//! fails the test.

use std::collections::{BTreeMap, BTreeSet};

use crate::harness::*;

/// The names the table in `man/stella-json.7` lists (its `.TP` `.B` lines
/// in section VOCABULARY).
fn vocabulary() -> BTreeSet<String> {
    let page = include_str!("../../man/stella-json.7");
    let section = page
        .split(".SH VOCABULARY")
        .nth(1)
        .expect("section VOCABULARY")
        .split("\n.SH ")
        .next()
        .unwrap();
    section
        .lines()
        .filter_map(|l| l.strip_prefix(".B "))
        .map(|name| {
            name.replace("\\-", "-")
                .replace("\\fR", "")
                .replace("\\fB", "")
        })
        .collect()
}

/// Objects whose keys are data, not names: a version vector is keyed by
/// site id.
const DATA_KEYED: [&str; 1] = ["vv"];

/// Every key of `value`, nested ones included.
fn keys(value: &serde_json::Value, into: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                into.insert(key.clone());
                if !DATA_KEYED.contains(&key.as_str()) {
                    keys(inner, into);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| keys(v, into)),
        _ => {}
    }
}

/// The keys of stdout, one document or NDJSON lines.
fn document_keys(stdout: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    match serde_json::from_str::<serde_json::Value>(stdout) {
        Ok(v) => keys(&v, &mut found),
        Err(_) => {
            for line in stdout.lines() {
                let v: serde_json::Value = serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("not JSON nor NDJSON ({e}): {stdout}"));
                keys(&v, &mut found);
            }
        }
    }
    found
}

struct Survey {
    found: BTreeMap<String, BTreeSet<String>>,
}

impl Survey {
    fn run(&mut self, site: &Site, args: &[&str], code: i32) -> serde_json::Value {
        let out = site.cmd(args).code(code);
        self.found
            .insert(args.join(" "), document_keys(&out.stdout));
        serde_json::from_str(&out.stdout).unwrap_or(serde_json::Value::Null)
    }
}

fn every_json_key_is_in_the_vocabulary(store: Backend) {
    let (a, b) = federated_pair(store);
    let mut s = Survey {
        found: BTreeMap::new(),
    };
    let full = a.path("full.tar.zst");
    let full_s = full.to_str().unwrap();
    s.run(
        &a,
        &["feedser", "bundle", "export", "-o", full_s, "--json"],
        0,
    );
    s.run(&b, &["feedser", "bundle", "validate", full_s, "--json"], 0);
    s.run(&b, &["feedser", "bundle", "import", full_s, "--json"], 0);
    let junk = b.path("junk.tar.zst");
    std::fs::write(&junk, b"not a bundle at all").unwrap();
    let junk_s = junk.to_str().unwrap();
    s.run(&b, &["feedser", "bundle", "import", junk_s, "--json"], 4);
    let quarantined = s.run(&b, &["feedser", "quarantine", "list", "--json"], 0);
    let id = quarantined[0]["id"].as_str().unwrap().to_owned();
    s.run(&b, &["feedser", "quarantine", "show", &id, "--json"], 0);
    s.run(&b, &["feedser", "sites", "list", "--json"], 0);
    s.run(&b, &["feedser", "sites", "status", "site-a", "--json"], 0);
    s.run(&b, &["feedser", "sites", "status", "--check", "--json"], 0);
    s.run(&b, &["feedser", "sites", "history", "site-a", "--json"], 0);
    s.run(&b, &["feedser", "sites", "policy", "site-a", "--json"], 0);
    s.run(&b, &["feedser", "events", "--json"], 0);
    let rows = b.cmd(&["feedser", "canonical", "list", "--json"]).ok();
    s.found.insert(
        "feedser canonical list --json".into(),
        document_keys(&rows.stdout),
    );
    let first: serde_json::Value =
        serde_json::from_str(rows.stdout.lines().next().unwrap()).unwrap();
    let hash = first["canonical"]["merge_hash"]
        .as_str()
        .unwrap()
        .to_owned();
    s.run(&b, &["feedser", "canonical", "get", &hash, "--json"], 0);
    s.run(&b, &["feedser", "journal", "status", "--json"], 0);
    s.run(&b, &["feedser", "journal", "gc", "--dry-run", "--json"], 0);
    s.run(&b, &["feedser", "journal", "gc", "--json"], 0);
    s.run(&b, &["audit", "verify", "--json"], 0);
    s.run(&a, &["authority", "keys", "list", "--json"], 0);
    s.run(
        &a,
        &["authority", "keys", "generate", "--name", "other", "--json"],
        0,
    );
    s.run(&b, &["db", "migrate", "--json"], 0);
    s.run(&b, &["doctor", "--json"], 0);
    let osv = b.path("osv-db");
    s.run(
        &b,
        &["feedser", "export", "osv", osv.to_str().unwrap(), "--json"],
        0,
    );
    let records = fixture("osv/pypi-2024-01-01");
    s.run(
        &b,
        &[
            "feedser",
            "ingest",
            "osv",
            records.to_str().unwrap(),
            "--json",
        ],
        0,
    );
    s.run(&b, &["feedser", "quarantine", "retry", &id, "--json"], 4);
    let bad = b
        .run(&["feedser", "ingest", "osv", "-", "--json"])
        .stdin("{\"id\": \"GHSA-x\", \"modified\": 7}\n")
        .go();
    assert_eq!(bad.code, 9, "{}", bad.stderr);
    s.found.insert(
        "feedser ingest osv - --json".into(),
        document_keys(&bad.stdout),
    );

    let silent: Vec<&String> = s
        .found
        .iter()
        .filter(|(_, k)| k.is_empty())
        .map(|(c, _)| c)
        .collect();
    assert!(silent.is_empty(), "no JSON document: {silent:?}");
    let known = vocabulary();
    let mut unknown = Vec::new();
    for (command, found) in &s.found {
        let missing: Vec<&String> = found.iter().filter(|k| !known.contains(*k)).collect();
        if !missing.is_empty() {
            unknown.push(format!("{command}: {missing:?}"));
        }
    }
    assert!(
        unknown.is_empty(),
        "keys not in man/stella-json.7 VOCABULARY:\n{}",
        unknown.join("\n")
    );
}

crate::on_both_stores!(every_json_key_is_in_the_vocabulary);
