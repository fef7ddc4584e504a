//! Migrations, the version check at connect, and connection errors.

use super::super::{MIGRATIONS, MigrateReport, PgOptions, PgStore, check_schema, migrate};
use super::*;
use crate::store::StoreError;

fn report(schema: &str, from: i64, to: i64) -> MigrateReport {
    MigrateReport {
        schema: schema.to_owned(),
        from,
        to,
    }
}

fn version(db: &TestDb, schema: &str) -> i64 {
    let sql = format!("SELECT version FROM {schema}.schema_version");
    db.client().query_one(&sql, &[]).unwrap().get(0)
}

fn connect(db: &TestDb, schema: &str) -> Result<PgStore, StoreError> {
    PgStore::connect(&db.dsn, schema, &PgOptions::default())
}

#[test]
fn migrate_from_empty_creates_every_table_and_is_idempotent() {
    let db = test_db!();
    let known = MIGRATIONS.len() as i64;
    let opts = PgOptions::default();
    assert_eq!(
        migrate(&db.dsn, "vuln", &opts).unwrap(),
        report("vuln", 0, known)
    );
    assert_eq!(
        migrate(&db.dsn, "vuln", &opts).unwrap(),
        report("vuln", known, known)
    );
    assert_eq!(version(&db, "vuln"), known);
    let rows = db
        .client()
        .query(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'vuln' ORDER BY 1",
            &[],
        )
        .unwrap();
    let tables: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    let want = [
        "canonicals",
        "conflicts",
        "edges",
        "events",
        "feed",
        "ledger",
        "schema_version",
        "sent",
        "site_keys",
        "sites",
        "taken",
        "tombstones",
    ];
    assert_eq!(tables, want);
    connect(&db, "vuln").unwrap();
}

#[test]
fn two_hosts_migrating_at_once_both_succeed_and_one_applies() {
    let db = test_db!();
    let run =
        |dsn: String| std::thread::spawn(move || migrate(&dsn, "vuln", &PgOptions::default()));
    let (a, b) = (run(db.dsn.clone()), run(db.dsn.clone()));
    let mut froms = [
        a.join().unwrap().unwrap().from,
        b.join().unwrap().unwrap().from,
    ];
    froms.sort_unstable();
    assert_eq!(froms, [0, MIGRATIONS.len() as i64]);
    assert_eq!(version(&db, "vuln"), MIGRATIONS.len() as i64);
}

#[test]
fn a_missing_or_behind_schema_is_refused_at_connect() {
    let db = test_db!();
    let behind = |found| StoreError::SchemaBehind {
        schema: "vuln".to_owned(),
        found,
        expected: MIGRATIONS.len() as i64,
    };
    let err = connect(&db, "vuln").err().unwrap();
    assert_eq!(err.to_string(), behind(0).to_string());
    assert_eq!(
        err.to_string(),
        "the schema `vuln` is at version 0, behind this stella's 6: run `stella db migrate`"
    );
    migrate(&db.dsn, "vuln", &PgOptions::default()).unwrap();
    db.exec("vuln", "UPDATE schema_version SET version = 0");
    assert!(matches!(
        connect(&db, "vuln"),
        Err(StoreError::SchemaBehind {
            found: 0,
            expected: 6,
            ..
        })
    ));
}

#[test]
fn a_newer_schema_is_refused_untouched() {
    let db = test_db!();
    migrate(&db.dsn, "vuln", &PgOptions::default()).unwrap();
    db.exec("vuln", "UPDATE schema_version SET version = 99");
    let newer = |r: Result<_, StoreError>| match r {
        Err(StoreError::SchemaNewer {
            schema,
            found,
            known,
        }) => (schema, found, known),
        Err(other) => panic!("expected SchemaNewer, got {other}"),
        Ok(_) => panic!("expected SchemaNewer, got a store"),
    };
    let want = ("vuln".to_owned(), 99, MIGRATIONS.len() as i64);
    assert_eq!(
        newer(migrate(&db.dsn, "vuln", &PgOptions::default()).map(|_| ())),
        want
    );
    assert_eq!(newer(connect(&db, "vuln").map(|_| ())), want);
    assert_eq!(version(&db, "vuln"), 99);
}

#[test]
fn schemas_are_independent_and_names_are_checked() {
    let db = test_db!();
    let clock = TestClock::at(0);
    let mut a = db.store_in("site_a", &clock, &PgOptions::default());
    let b = db.store_in("_b2", &clock, &PgOptions::default());
    put(&mut a, &record(1, &[]));
    assert_eq!(b.canonical(&merge_hash(1)).unwrap(), None);
    assert_eq!(a.schema(), "site_a");
    for bad in ["", "Vuln", "1abc", "a-b", "a;drop", "x\"y", &"a".repeat(64)] {
        let err = check_schema(bad).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "PostgreSQL error: invalid schema name `{bad}`: use lowercase letters, digits \
                 and `_`, not starting with a digit, at most 63 characters"
            )
        );
        assert!(matches!(
            migrate(&db.dsn, bad, &PgOptions::default()),
            Err(StoreError::Postgres(_))
        ));
    }
    check_schema(&"a".repeat(63)).unwrap();
}

#[test]
fn a_migration_waits_for_another_then_gives_up() {
    let db = test_db!();
    let key = super::super::conn::lock_key("migrate", "vuln");
    let mut holder = db.client();
    holder
        .execute("SELECT pg_advisory_lock($1)", &[&key])
        .unwrap();
    let short = PgOptions {
        lock_timeout: std::time::Duration::from_millis(200),
    };
    match migrate(&db.dsn, "vuln", &short) {
        Err(StoreError::LockTimeout { lock, waited_ms }) => {
            let want = format!("stella migration lock for schema vuln (advisory lock {key})");
            assert_eq!(lock, want);
            assert!((150..2_000).contains(&waited_ms), "{waited_ms}");
        }
        other => panic!("expected LockTimeout, got {other:?}"),
    }
    assert!(connect(&db, "vuln").is_err());
    drop(holder);
    assert_eq!(migrate(&db.dsn, "vuln", &short).unwrap().from, 0);
}
