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
    assert_eq!(tables, 12);
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
    assert_eq!(get("page_size"), "Integer(16384)");
}

/// A store made with another page size keeps it (SQLite would need a
/// VACUUM outside WAL mode to change it) and opens and migrates as usual.
#[test]
fn an_existing_store_keeps_its_page_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "page_size", 4096).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x)")
        .unwrap();
    drop(conn);
    let store = SqliteStore::open(&path).unwrap();
    let page_size: i64 = store
        .conn
        .pragma_query_value(None, "page_size", |row| row.get(0))
        .unwrap();
    assert_eq!(page_size, 4096);
    assert_eq!(user_version(&store.conn), MIGRATIONS.len() as i64);
}

#[test]
fn edges_survive_the_move_to_a_rowid_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let mut conn = Connection::open(&path).unwrap();
    let tx = conn.transaction().unwrap();
    for migration in &MIGRATIONS[..3] {
        migration.apply(&tx).unwrap();
    }
    tx.execute_batch(
        "INSERT INTO canonicals VALUES ('sha256:aa', '00000000-0000-0000-0000-0000000000aa', \
           'CVE-2024-0001', 'pkg:pypi/x', 'active', 'high', 't', 's', NULL, \
           '[]', '[]', '[]', NULL, NULL, 1); \
         INSERT INTO edges VALUES ('sha256:aa', 'osv', 'B', '00000000-0000-0000-0000-0000000000e2', \
           '00000000-0000-0000-0000-0000000000aa', 'affected', 'h2'), \
           ('sha256:aa', 'ghsa', 'A', '00000000-0000-0000-0000-0000000000e1', \
           '00000000-0000-0000-0000-0000000000aa', 'affected', 'h1');",
    )
    .unwrap();
    tx.pragma_update(None, "user_version", 3).unwrap();
    tx.commit().unwrap();
    drop(conn);
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(user_version(&store.conn), MIGRATIONS.len() as i64);
    let mut stmt = store
        .conn
        .prepare("SELECT source, id FROM edges WHERE merge_hash = 'sha256:aa' ORDER BY source")
        .unwrap();
    let keys: Vec<(String, String)> = stmt
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let id = |n: &str| format!("00000000-0000-0000-0000-0000000000{n}");
    assert_eq!(keys, [("ghsa".into(), id("e1")), ("osv".into(), id("e2"))]);
    drop(stmt);
    let duplicate = store.conn.execute(
        "INSERT INTO edges VALUES ('sha256:aa', 'osv', 'B', 'x', 'y', 'affected', 'h')",
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

/// Migration 5 turns every key of the bulk-loaded tables into a named
/// unique index; rows, keys and the edges' cascade all survive it.
#[test]
fn keys_become_named_indexes_and_rows_survive() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let mut conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    let tx = conn.transaction().unwrap();
    for migration in &MIGRATIONS[..4] {
        migration.apply(&tx).unwrap();
    }
    tx.execute_batch(
        "INSERT INTO sites (site_id, display_name, enabled, created_at) VALUES ('b', 'B', 1, 't'); \
         INSERT INTO canonicals VALUES ('sha256:aa', '00000000-0000-0000-0000-00000000000a', 'CVE-2024-0001', 'pkg:pypi/x', \
           'active', 'high', 't', 's', NULL, '[]', '[]', '[]', NULL, NULL, 2), \
           ('sha256:bb', '00000000-0000-0000-0000-00000000000b', 'CVE-2024-0002', 'pkg:pypi/y', \
           'active', 'low', 't', 's', 'v', '[]', '[]', '[]', 'p', 'm', 1); \
         INSERT INTO edges VALUES ('sha256:aa', 'osv', 'B', '00000000-0000-0000-0000-0000000000e2', \
           '00000000-0000-0000-0000-00000000000a', 'affected', 'h2'), \
           ('sha256:bb', 'ghsa', 'A', '00000000-0000-0000-0000-0000000000e1', \
           '00000000-0000-0000-0000-00000000000b', 'affected', 'h1'); \
         INSERT INTO taken VALUES ('b', 'sha256:aa', 'sha256:1');",
    )
    .unwrap();
    let dump = |c: &Connection| -> Vec<String> {
        let mut out = Vec::new();
        for (table, order) in [
            ("canonicals", "merge_hash"),
            ("edges", "id"),
            ("taken", "merge_hash"),
        ] {
            let mut stmt = c
                .prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))
                .unwrap();
            let width = stmt.column_count();
            let rows = stmt
                .query_map([], |row| {
                    (0..width)
                        .map(|i| row.get::<_, rusqlite::types::Value>(i))
                        .collect::<Result<Vec<_>, _>>()
                })
                .unwrap();
            out.extend(rows.map(|r| format!("{table}: {:?}", r.unwrap())));
        }
        out
    };
    let before = dump(&tx);
    tx.pragma_update(None, "user_version", 4).unwrap();
    tx.commit().unwrap();
    drop(conn);

    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(user_version(&store.conn), MIGRATIONS.len() as i64);
    // Migration 7 adds `history` and `via`, NULL for rows stored before.
    let after: Vec<String> = dump(&store.conn)
        .into_iter()
        .map(|row| row.replace(", Null, Null]", "]"))
        .collect();
    assert_eq!(after, before);
    let refused = |sql: &str| {
        let err = store.conn.execute(sql, []).unwrap_err();
        assert!(
            err.to_string().contains("UNIQUE constraint failed"),
            "{sql}: {err}"
        );
    };
    let row = |hash: &str, id: &str, seq: i64| {
        format!(
            "INSERT INTO canonicals VALUES ('{hash}', '{id}', 'c', 'k', 'active', 'high', 't', 's', \
             NULL, '[]', '[]', '[]', NULL, NULL, {seq}, NULL, NULL)"
        )
    };
    refused(&row("sha256:aa", "id-new", 9));
    refused(&row(
        "sha256:new",
        "00000000-0000-0000-0000-00000000000a",
        9,
    ));
    refused(&row("sha256:new", "id-new", 1));
    refused("INSERT INTO edges VALUES ('sha256:aa', 'osv', 'B', 'x', 'y', 'affected', 'h')");
    refused("INSERT INTO taken VALUES ('b', 'sha256:aa', 'sha256:2')");
    // The edges' foreign key names the renamed table and still cascades.
    store
        .conn
        .execute("DELETE FROM canonicals WHERE merge_hash = 'sha256:aa'", [])
        .unwrap();
    let edges: i64 = store
        .conn
        .query_row("SELECT count(*) FROM edges", [], |row| row.get(0))
        .unwrap();
    assert_eq!(edges, 1);
    let orphan = store.conn.execute(
        "INSERT INTO edges VALUES ('sha256:zz', 'osv', 'Z', 'z', 'id-z', 'affected', 'h')",
        [],
    );
    assert!(orphan.unwrap_err().to_string().contains("FOREIGN KEY"));
}
