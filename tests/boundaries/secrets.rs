//! The PostgreSQL password stays out of the lock file, the "another stella
//! is writing" error and any config others can read.

use crate::backend::Database;
use crate::harness::*;

#[test]
fn the_database_password_stays_out_of_files_and_messages() {
    let test = "boundaries::secrets::the_database_password_stays_out_of_files_and_messages";
    if Backend::postgres(test).is_none() {
        return;
    }
    let a = site_with_data(Backend::Sqlite);
    let bundle = a.export("full.tar.zst", &[]);
    let db = Database::create();
    let url = format!("postgresql://postgres:hunter2@127.0.0.1:5432/{}", db.name);
    let b = Site::uninitialized("site-b");
    let init = b
        .cmd(&["--database-url", &url, "init", "--site-id", "site-b"])
        .ok();
    assert!(
        init.stderr.ends_with("note: the config holds the database password (it is 0600, readable only by you); to keep it out of files, remove it from ConnectionStrings.Concelier and give the connection string in STELLA_DATABASE_URL (from a secret store), or the password in a .pgpass file (PGPASSFILE, default ~/.pgpass, mode 0600)\n"),
        "{}",
        init.stderr
    );
    let config = b.home().join("concelier.yaml");
    assert_eq!(mode(&config), 0o600);
    b.trust(&a, &a.path("site-a.pub.pem"));

    super::chmod(&config, 0o644);
    let doctor = b.cmd(&["doctor"]).code(15);
    let line = format!(
        "fail  config   `{0}` holds the database password and others can read it (0644): run `chmod 600 {0}`; better, remove the password from it and give the connection string in STELLA_DATABASE_URL (from a secret store), or the password in a .pgpass file (PGPASSFILE, default ~/.pgpass, mode 0600)",
        config.display()
    );
    assert!(
        doctor.stdout.lines().any(|l| l == line),
        "{}",
        doctor.stdout
    );
    super::chmod(&config, 0o600);

    // The lock file names the holder's command line, password masked.
    let import = std::process::Command::new(BIN)
        .args(["--database-url", &url, "--home"])
        .arg(b.home())
        .args(["feedser", "bundle", "import"])
        .arg(&bundle)
        .env("STELLA_TEST_PAUSE_AT", "staged")
        .spawn()
        .unwrap();
    let paused = wait_for_pause(&b);
    let lock = b.home().join("lock");
    let text = std::fs::read_to_string(&lock).unwrap();
    assert!(
        text.contains("--database-url postgresql://postgres:********@127.0.0.1:5432/"),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
    assert_eq!(mode(&lock), 0o600);
    let busy = b
        .run(&[
            "--lock-wait",
            "0",
            "--database-url",
            &url,
            "feedser",
            "sites",
            "list",
        ])
        .go();
    assert_eq!(busy.code, 0, "readers do not wait");
    let busy = b
        .run(&[
            "--lock-wait",
            "0",
            "feedser",
            "quarantine",
            "purge",
            "--all",
        ])
        .go()
        .code(10);
    assert!(
        busy.stderr.contains("postgres:********@127.0.0.1"),
        "{}",
        busy.stderr
    );
    assert!(!busy.stderr.contains("hunter2"), "{}", busy.stderr);
    std::fs::remove_file(paused).unwrap();
    assert_eq!(import.wait_with_output().unwrap().status.code(), Some(0));
}

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// stella reads the password from `PGPASSFILE` (or `~/.pgpass`) as libpq
/// does, and, as libpq does, ignores one that others can read.
#[test]
fn a_password_file_others_can_read_is_ignored_with_a_warning() {
    let site = Site::new("site-a");
    let pgpass = site.path("pgpass");
    std::fs::write(&pgpass, "*:*:*:*:hunter2\n").unwrap();
    super::chmod(&pgpass, 0o644);
    let out = site
        .run(&[
            "--database-url",
            "postgresql://postgres@127.0.0.1:1/x",
            "feedser",
            "sites",
            "list",
        ])
        .env("PGPASSFILE", &pgpass)
        .go()
        .code(10);
    let first = out.stderr.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        format!(
            "stella: warn: password file `{0}` has group or world access (0644), so it is ignored: run `chmod 600 {0}`",
            pgpass.display()
        )
    );
    assert!(!out.stderr.contains("hunter2"), "{}", out.stderr);
}
