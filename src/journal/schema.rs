//! The journal's schema: an append-only migration list on `PRAGMA
//! user_version` (entry `i` takes the journal from version `i` to `i + 1`;
//! never edit a shipped entry).

use std::path::Path;

use rusqlite::Connection;

use super::JournalError;

const MIGRATIONS: &[&str] = &["CREATE TABLE imports (
    import_id       TEXT PRIMARY KEY NOT NULL,
    bundle          TEXT NOT NULL,
    staging_dir     TEXT NOT NULL,
    state           TEXT NOT NULL,
    site_id         TEXT,
    manifest_sha256 TEXT,
    bundle_hash     TEXT,
    detail          TEXT,
    started_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;
CREATE INDEX imports_by_state ON imports (state);"];

fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Whether the journal is at this version; checked without a write lock,
/// as every run but the first finds it so.
pub(super) fn is_current(conn: &Connection) -> rusqlite::Result<bool> {
    Ok(version(conn)? == MIGRATIONS.len() as i64)
}

/// Brings the schema to this version under a write lock (another process
/// may be migrating too).
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), JournalError> {
    let db = |source| JournalError::Db {
        path: path.to_owned(),
        source,
    };
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(db)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)
        .map_err(db)?;
    let found = version(&tx).map_err(db)?;
    if found > MIGRATIONS.len() as i64 {
        return Err(JournalError::TooNew {
            path: path.to_owned(),
            found,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        tx.execute_batch(sql).map_err(db)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)
            .map_err(db)?;
    }
    tx.commit().map_err(db)
}
