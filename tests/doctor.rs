//! `stella doctor`: one finding per check, exit 15 when any check fails.

use std::os::unix::fs::PermissionsExt;

use crate::backend::Database;
use crate::harness::*;

/// The findings without the disk line (free space varies), and that line.
fn split_disk(stdout: &str) -> (String, String) {
    let (disk, rest): (Vec<&str>, Vec<&str>) = stdout.lines().partition(|l| l.contains("  disk  "));
    assert_eq!(disk.len(), 1, "{stdout}");
    (rest.join("\n") + "\n", disk[0].to_owned())
}

fn healthy_home_is_all_ok(store: Backend) {
    let a = site_with_data(store);
    let out = a.cmd(&["doctor"]).ok().stderr_is("");
    let (rest, disk) = split_disk(&out.stdout);
    let home = a.home();
    let store_line = match store {
        Backend::Sqlite => format!("SQLite `{}/stella.db`: schema current", home.display()),
        Backend::Postgres => "PostgreSQL schema `vuln`: schema current".to_owned(),
    };
    let lines: Vec<&str> = rest.lines().collect();
    assert_eq!(
        lines[0],
        format!("ok    home     `{}` (0700)", home.display())
    );
    assert_eq!(
        lines[1],
        format!("ok    config   `{}/concelier.yaml` parses", home.display())
    );
    assert_eq!(lines[2], "ok    keys     key `fed` (0600, 0 days old)");
    assert_eq!(lines[3], format!("ok    store    {store_line}"));
    assert!(
        lines[4].starts_with("ok    clock    newest local change `"),
        "{rest}"
    );
    assert_eq!(
        lines[5],
        "ok    links    no two-way link (no peer is both imported from and exported to with --for)"
    );
    assert_eq!(lines[6], "ok    journal  0 imports, none unfinished");
    assert_eq!(lines[7], "ok    audit    0 records, chain intact");
    assert_eq!(lines.len(), 8, "{rest}");
    assert!(disk.starts_with("ok    disk     "), "{disk}");
    assert!(disk.ends_with(" free on the home's filesystem"), "{disk}");
}

crate::on_both_stores!(healthy_home_is_all_ok);

#[test]
fn a_private_key_readable_by_others_fails() {
    let a = site_with_data(Backend::Sqlite);
    let key = a.home().join("keys/fed.key.pem");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = a.cmd(&["doctor"]).code(15);
    assert_eq!(out.stderr, "error: 1 of 9 checks failed (see above)\n");
    let line = format!(
        "fail  keys     key `fed`: `{0}` is 0644, readable by others: run `chmod 600 {0}` (and consider the key exposed)",
        key.display()
    );
    assert!(out.stdout.lines().any(|l| l == line), "{}", out.stdout);
    assert_eq!(
        out.stdout.lines().filter(|l| l.starts_with("fail")).count(),
        1
    );
}

#[test]
fn an_open_keys_directory_warns() {
    let a = site_with_data(Backend::Sqlite);
    let keys = a.home().join("keys");
    std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = a.cmd(&["doctor"]).ok();
    let line = format!(
        "warn  keys     `{0}` is 0755, its key names readable by others: run `chmod 700 {0}`",
        keys.display()
    );
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[2], line, "{}", out.stdout);
    assert_eq!(lines[3], "ok    keys     key `fed` (0600, 0 days old)");
    assert_eq!(lines.iter().filter(|l| !l.starts_with("ok")).count(), 1);
}

#[test]
fn a_corrupt_config_fails_and_stops_there() {
    let a = Site::new("site-a");
    let config = a.home().join("concelier.yaml");
    std::fs::write(&config, "Federation: { Enabeld: true }\n").unwrap();
    let out = a.cmd(&["doctor"]).code(15);
    assert_eq!(out.stderr, "error: 1 of 2 checks failed (see above)\n");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines[0],
        format!("ok    home     `{}` (0700)", a.home().display())
    );
    assert!(lines[1].starts_with("fail  config   "), "{}", out.stdout);
    assert!(
        lines[1].contains("concelier.yaml") && lines[1].contains("Enabeld"),
        "{}",
        lines[1]
    );
    assert_eq!(lines.len(), 2);
}

#[test]
fn an_unmigrated_postgres_database_fails_the_store_check() {
    if Backend::postgres("doctor::an_unmigrated_postgres_database_fails_the_store_check").is_none()
    {
        return;
    }
    let a = Site::new("site-a");
    let db = Database::create();
    let out = a.cmd(&["--database-url", &db.url(), "doctor"]).code(15);
    assert_eq!(out.stderr, "error: 1 of 9 checks failed (see above)\n");
    let store = out
        .stdout
        .lines()
        .find(|l| l.contains("  store  "))
        .unwrap();
    assert!(store.starts_with("fail  store    "), "{}", out.stdout);
    assert!(store.ends_with("run `stella db migrate`"), "{store}");
    let clock = out
        .stdout
        .lines()
        .find(|l| l.contains("  clock  "))
        .unwrap();
    assert_eq!(clock, "warn  clock    not checked: the store did not open");
}

#[test]
fn json_is_one_document_of_findings() {
    let a = Site::new("site-a");
    let out = a.cmd(&["doctor", "--json"]).ok().stderr_is("");
    let mut doc = out.json();
    let checks = doc["checks"].as_array_mut().unwrap();
    assert_eq!(checks[8]["check"], "disk");
    checks[8]["detail"] = "<free>".into();
    let home = a.home().display().to_string();
    let expected = serde_json::json!({
        "success": true,
        "checks": [
            {"status": "ok", "check": "home", "detail": format!("`{home}` (0700)")},
            {"status": "ok", "check": "config", "detail": format!("`{home}/concelier.yaml` parses")},
            {"status": "warn", "check": "keys", "detail": "no signing key: create one with `stella authority keys generate --name NAME` before exporting"},
            {"status": "ok", "check": "store", "detail": format!("SQLite `{home}/stella.db`: schema current")},
            {"status": "ok", "check": "clock", "detail": "no local changes yet"},
            {"status": "ok", "check": "links", "detail": "no two-way link (no peer is both imported from and exported to with --for)"},
            {"status": "ok", "check": "journal", "detail": "0 imports, none unfinished"},
            {"status": "ok", "check": "audit", "detail": "0 records, chain intact"},
            {"status": "ok", "check": "disk", "detail": "<free>"},
        ]
    });
    assert_eq!(doc, expected);
}
