//! Crash recovery deletes only what lies under `<home>/staging`, whatever
//! the journal says and wherever stella runs from; `journal gc` and
//! `quarantine purge` never pull the floor from under a live command.

use std::io::Write;
use std::process::{Command, Stdio};

use super::names;
use crate::harness::*;

/// An import killed once staged: its row is open and its files are there.
fn killed_import(b: &Site, bundle: &std::path::Path, cwd: &std::path::Path, home: &str) {
    let out = Command::new(BIN)
        .current_dir(cwd)
        .args(["--home", home, "feedser", "bundle", "import"])
        .arg(bundle)
        .env("STELLA_TEST_ABORT_AT", "staged")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        None,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        names(&b.home().join("staging")).len(),
        2,
        "the staged files and the lock"
    );
}

#[test]
fn an_edited_journal_cannot_make_recovery_delete_outside_the_home() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = a.export("full.tar.zst", &[]);
    killed_import(&b, &bundle, &b.path(""), b.home().to_str().unwrap());
    let victim = b.path("victim");
    std::fs::create_dir(&victim).unwrap();
    std::fs::write(victim.join("keep"), "keep").unwrap();
    let journal = rusqlite::Connection::open(b.home().join("journal.db")).unwrap();
    let edited = journal
        .execute(
            "UPDATE imports SET staging_dir = ?1",
            [victim.to_str().unwrap()],
        )
        .unwrap();
    assert_eq!(edited, 1);
    // A read-only command settles the import.
    let rows = b.json(&["feedser", "journal", "status", "--json"]);
    assert_eq!(rows[0]["state"], "abandoned");
    assert_eq!(names(&victim), ["keep"]);
    assert_eq!(names(&b.home().join("staging")), Vec::<String>::new());
}

/// The journal used to record the staging path relative to the directory
/// the import ran in, so recovery from another directory found nothing to
/// remove. It is now relative to the home, and removal derives it anyway.
#[test]
fn recovery_after_a_cd_removes_the_staged_files() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = a.export("full.tar.zst", &[]);
    killed_import(&b, &bundle, &b.path(""), "home");
    let out = Command::new(BIN)
        .current_dir("/")
        .arg("--home")
        .arg(b.home())
        .args(["feedser", "journal", "status", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["state"], "abandoned");
    let id = rows[0]["import_id"].as_str().unwrap();
    assert_eq!(rows[0]["staging_dir"], format!("staging/{id}"));
    assert_eq!(names(&b.home().join("staging")), Vec::<String>::new());
}

/// `validate` holds no writer lock; `journal gc` used to remove its scratch
/// directory while it ran.
#[test]
fn journal_gc_spares_a_running_validate() {
    let a = Site::new("site-a");
    let key = a.with_key();
    a.cmd(&["dev", "gen-data", "--count", "3000", "--seed", "7"])
        .ok();
    let b = Site::new("site-b");
    b.trust(&a, &key);
    let bytes = std::fs::read(a.export("full.tar.zst", &["--max-items", "100000"])).unwrap();
    let mut validate = Command::new(BIN)
        .arg("--home")
        .arg(b.home())
        .args(["feedser", "bundle", "validate", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = validate.stdin.take().unwrap();
    stdin.write_all(&bytes[..bytes.len() / 2]).unwrap();
    wait_for_scratch(&b.home().join("staging"));
    let gc = b.json(&["feedser", "journal", "gc", "--json"]);
    assert_eq!(gc["staging_removed"], serde_json::json!([]), "{gc}");
    stdin.write_all(&bytes[bytes.len() / 2..]).unwrap();
    drop(stdin);
    let out = validate.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("\n\nReady for import.\n"), "{stdout}");
    assert_eq!(names(&b.home().join("staging")), Vec::<String>::new());
}

/// Waits until validate's `validate-*` scratch exists (in `staging/` or a
/// directory of it).
fn wait_for_scratch(staging: &std::path::Path) {
    let found = |dir: &std::path::Path| names(dir).iter().any(|n| n.starts_with("validate-"));
    for _ in 0..1500 {
        let nested = names(staging).iter().any(|n| found(&staging.join(n)));
        if found(staging) || nested {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("validate never made its scratch directory");
}

/// `quarantine purge` used to run beside an import, which may be keeping a
/// refused bundle as evidence; it now takes the writer lock.
#[test]
fn quarantine_purge_waits_for_a_running_import() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = a.export("full.tar.zst", &[]);
    let (paused, first) = paused_import(&b, &bundle);
    let out = b
        .run(&[
            "--lock-wait",
            "0.2",
            "feedser",
            "quarantine",
            "purge",
            "--all",
        ])
        .go()
        .code(10);
    let busy = format!(
        "error: another stella is writing to the home `{}` (pid ",
        b.home().display()
    );
    assert!(out.stderr.starts_with(&busy), "{}", out.stderr);
    std::fs::remove_file(paused).unwrap();
    assert_eq!(first.join().unwrap().status.code(), Some(0));
    b.cmd(&["feedser", "quarantine", "purge", "--all"])
        .ok()
        .stdout_is("purged 0 quarantined bundles\n");
}
