//! What only a PostgreSQL site shows: connecting, migrating, notifying.

use crate::backend::Database;
use crate::harness::*;

#[test]
fn connection_failure_names_the_target_and_never_the_password() {
    let site = Site::new("site-a");
    let url = "postgresql://alice:s3cret-pw@127.0.0.1:1/nodb";
    let out = site
        .cmd(&["--database-url", url, "feedser", "sites", "list"])
        .code(10);
    assert!(
        out.stderr
            .starts_with("error: cannot connect to PostgreSQL at 127.0.0.1:1/nodb as user alice: "),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.ends_with(
            "; check that the server runs there, the database exists and the user may log in\n"
        ),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("s3cret"), "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

#[test]
fn an_unmigrated_database_asks_for_db_migrate() {
    let Some(_) = Backend::postgres("pg_site::an_unmigrated_database_asks_for_db_migrate") else {
        return;
    };
    let site = Site::new("site-a");
    let db = Database::create();
    let url = db.url();
    let out = site
        .cmd(&["--database-url", &url, "feedser", "sites", "list"])
        .code(10);
    assert_eq!(
        out.stderr,
        "error: the schema `vuln` is at version 0, behind this stella's 6: run `stella db migrate`\n"
    );
    site.cmd(&["--database-url", &url, "db", "migrate"])
        .ok()
        .stdout_is("postgresql schema `vuln` migrated from version 0 to 6\n");
    site.cmd(&["--database-url", &url, "db", "migrate"])
        .ok()
        .stdout_is("postgresql schema `vuln` is up to date at version 6\n");
    site.cmd(&["--database-url", &url, "feedser", "sites", "list"])
        .ok()
        .stdout_is("SITE ID  STATUS  LAST SYNC  CURSOR\n───────  ──────  ─────────  ──────\n");
    // The embedded store of the same home is untouched by all this.
    site.cmd(&["db", "migrate"])
        .ok()
        .stdout_is("sqlite is up to date at version 10\n");
}

#[test]
fn import_notifies_listeners_at_commit() {
    let Some(pg) = Backend::postgres("pg_site::import_notifies_listeners_at_commit") else {
        return;
    };
    let (a, b) = federated_pair(pg);
    let bundle = a.export("full.tar.zst", &[]);
    let mut listener =
        postgres::Client::connect(&b.database.as_ref().unwrap().url(), postgres::NoTls).unwrap();
    listener.batch_execute("LISTEN canonical_imported").unwrap();
    let dry = b
        .cmd(&[
            "feedser",
            "bundle",
            "import",
            bundle.to_str().unwrap(),
            "--dry-run",
        ])
        .ok();
    assert!(dry.stdout.contains("dry run"), "{}", dry.stdout);
    let out = b
        .cmd(&[
            "feedser",
            "bundle",
            "import",
            bundle.to_str().unwrap(),
            "--json",
        ])
        .ok()
        .json();
    use postgres::fallible_iterator::FallibleIterator;
    let mut notes = listener.notifications();
    let got: Vec<(String, String)> = notes
        .timeout_iter(std::time::Duration::from_millis(500))
        .map(|n| Ok((n.channel().to_owned(), n.payload().to_owned())))
        .collect()
        .unwrap();
    assert_eq!(
        got,
        vec![(
            "canonical_imported".to_owned(),
            out["bundle_hash"].as_str().unwrap().to_owned()
        )]
    );
}
