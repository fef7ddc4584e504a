//! The journal's schema: an append-only step list on `PRAGMA user_version`,
//! run by the store's shared runner (`crate::store::sqlite::migrate`; step
//! `i` takes the journal from version `i` to `i + 1`; never edit a shipped
//! step).

use std::path::Path;

use rusqlite::Connection;

use super::JournalError;
use crate::store::sqlite::migrate::{self, MigrateError, Step};

const MIGRATIONS: &[Step<rusqlite::Error>] = &[Step::Sql(
    "CREATE TABLE imports (
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
CREATE INDEX imports_by_state ON imports (state);",
)];

/// Whether the journal is at this version; checked without a write lock,
/// as every run but the first finds it so.
pub(super) fn is_current(conn: &Connection) -> rusqlite::Result<bool> {
    migrate::is_current(conn, MIGRATIONS)
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
    match migrate::migrate(conn, MIGRATIONS) {
        Ok(_) => Ok(()),
        Err(MigrateError::TooNew { found, .. }) => Err(JournalError::TooNew {
            path: path.to_owned(),
            found,
        }),
        Err(MigrateError::Failed(source)) => Err(db(source)),
    }
}
