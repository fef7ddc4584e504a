//! Tests of what is particular to the SQLite store (schema, pragmas, open
//! errors, WAL snapshots, busy handling). The behaviour both stores share
//! is checked once, on both, in `crate::store::tests`; its fixtures are
//! re-exported here.

mod bulk;
mod canonical;
mod concurrency;
mod failure;
mod lines;
mod schema;
mod unkeyed;

use rusqlite::Connection;

use super::SqliteStore;
use crate::store::Store;
pub use crate::store::tests::{Harness, deletion, merge_hash, put, record};

/// Every index of the store, name and definition, by name.
pub(super) fn indexes(conn: &Connection) -> Vec<String> {
    let mut stmt = conn
        .prepare(
            "SELECT name || ' ' || coalesce(sql, '') FROM sqlite_schema \
             WHERE type = 'index' ORDER BY name",
        )
        .unwrap();
    stmt.query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}
