//! Opening, connection settings and migrations.

use rusqlite::Connection;

use super::super::{MIGRATIONS, OpenOptions, SqliteStore};
use crate::store::StoreError;

fn user_version(conn: &Connection) -> i64 {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap()
}

#[test]
fn migrations_set_user_version_and_are_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(user_version(&store.conn), MIGRATIONS.len() as i64);
    drop(store);
    // A second open finds the schema current and changes nothing.
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(user_version(&store.conn), MIGRATIONS.len() as i64);
    let tables: i64 = store
        .conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(tables, 10);
}

#[test]
fn connection_settings_are_applied() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
    let get = |pragma: &str| -> String {
        store
            .conn
            .query_row(&format!("PRAGMA {pragma}"), [], |row| {
                row.get::<_, rusqlite::types::Value>(0)
            })
            .map(|v| format!("{v:?}"))
            .unwrap()
    };
    assert_eq!(get("journal_mode"), "Text(\"wal\")");
    assert_eq!(get("synchronous"), "Integer(1)");
    assert_eq!(get("foreign_keys"), "Integer(1)");
    assert_eq!(get("busy_timeout"), "Integer(5000)");
    assert_eq!(get("cache_size"), "Integer(-32768)");
}

#[test]
fn edges_survive_the_move_to_a_rowid_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let mut conn = Connection::open(&path).unwrap();
    let tx = conn.transaction().unwrap();
    for migration in &MIGRATIONS[..3] {
        tx.execute_batch(migration).unwrap();
    }
    tx.execute_batch(
        "INSERT INTO canonicals VALUES ('sha256:aa', 'id', 'CVE-2024-0001', 'pkg:pypi/x', \
           'active', 'high', 't', 's', NULL, '[]', '[]', '[]', NULL, NULL, 1); \
         INSERT INTO edges VALUES ('sha256:aa', 'osv', 'B', 'e2', 'id', 'affected', 'h2'), \
           ('sha256:aa', 'ghsa', 'A', 'e1', 'id', 'affected', 'h1');",
    )
    .unwrap();
    tx.pragma_update(None, "user_version", 3).unwrap();
    tx.commit().unwrap();
    drop(conn);
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(user_version(&store.conn), 4);
    let mut stmt = store
        .conn
        .prepare("SELECT source, id FROM edges WHERE merge_hash = 'sha256:aa' ORDER BY source")
        .unwrap();
    let keys: Vec<(String, String)> = stmt
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        keys,
        [("ghsa".into(), "e1".into()), ("osv".into(), "e2".into())]
    );
    drop(stmt);
    let duplicate = store.conn.execute(
        "INSERT INTO edges VALUES ('sha256:aa', 'osv', 'B', 'x', 'id', 'affected', 'h')",
        [],
    );
    assert!(duplicate.is_err(), "the key stays unique");
}

#[test]
fn schema_newer_than_known_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    match SqliteStore::open(&path) {
        Err(StoreError::SchemaTooNew {
            path: p,
            found,
            known,
        }) => {
            assert_eq!(
                (p, found, known),
                (path.clone(), 99, MIGRATIONS.len() as i64)
            );
        }
        other => panic!("expected SchemaTooNew, got {:?}", other.map(|_| ())),
    }
    let conn = Connection::open(&path).unwrap();
    assert_eq!(user_version(&conn), 99);
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
        .unwrap();
    assert_eq!(tables, 0);
}

#[test]
fn missing_parent_directory_is_an_open_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent").join("store.db");
    match SqliteStore::open_with(&path, &OpenOptions::default()) {
        Err(err @ StoreError::Open { .. }) => {
            let StoreError::Open { path: p, .. } = &err else {
                unreachable!()
            };
            assert_eq!(p, &path);
            assert!(
                err.to_string()
                    .starts_with(&format!("cannot open the store `{}`: ", path.display()))
            );
        }
        other => panic!("expected Open, got {:?}", other.map(|_| ())),
    }
    assert!(!path.parent().unwrap().exists());
}

#[test]
fn a_file_that_is_not_a_database_is_an_open_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk.db");
    std::fs::write(&path, vec![0x42u8; 4096]).unwrap();
    assert!(matches!(
        SqliteStore::open(&path),
        Err(StoreError::Open { path: p, .. }) if p == path
    ));
}
