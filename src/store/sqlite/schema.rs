//! The store's schema: connection settings, and its append-only step list
//! (`migrations.rs`) run by the shared runner (`migrate.rs`).
//!
//! Invariants:
//! - `MIGRATIONS` only ever grows; step `i` takes a database from
//!   `user_version = i` to `i + 1`. Never edit a shipped step.
//! - Migrations run in one `BEGIN EXCLUSIVE` transaction, so a store is either
//!   fully at the new version or untouched; running them again is a no-op.
//! - A database whose `user_version` is beyond the list is refused, never
//!   downgraded or written to.
//!
//! Compatibility: times are TEXT (RFC 3339 with milliseconds, as the model
//! gives them) or INTEGER unix milliseconds; ids are hyphenated UUID TEXT;
//! list fields are JSON TEXT; cursors are their text form.

use std::ops::Neg;
use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use super::migrate::{self, MigrateError};
pub use super::migrations::MIGRATIONS;
use crate::store::{Result, StoreError};

/// The page cache per connection, in KiB.
const CACHE_KIB: i64 = 32 * 1024;

/// The page size of a new store, in bytes. An export reads the whole
/// store in order: 16 KiB pages pack its ~2 KB rows of export bytes with
/// less slack than 4 KiB ones and take a quarter of the reads (measured at
/// 1M canonicals: the store 16% smaller, the full export 8% faster). A store
/// keeps the size it was made with: SQLite applies the setting only before
/// the first table exists.
pub const PAGE_SIZE: i64 = 16 * 1024;

/// Per-connection settings; must run outside any transaction.
pub fn configure(conn: &Connection, busy_timeout: Duration) -> rusqlite::Result<()> {
    conn.busy_timeout(busy_timeout)?;
    // Before WAL mode: switching to it writes the first page of a new file.
    conn.pragma_update(None, "page_size", PAGE_SIZE)?;
    // In-memory databases answer `memory`; that is fine, they have one connection.
    let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // KiB when negative. Sized for imports: index pages of a large store stay
    // cached instead of being re-read and spilled mid-transaction.
    conn.pragma_update(None, "cache_size", CACHE_KIB.neg())?;
    Ok(())
}

/// Brings the schema up to the last step of [`MIGRATIONS`], or refuses a newer one
/// (see `migrate`). A failing statement is an open error of `path`.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    match migrate::migrate(conn, MIGRATIONS) {
        Ok(_) => Ok(()),
        Err(MigrateError::TooNew { found, known }) => Err(StoreError::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            known,
        }),
        Err(MigrateError::Failed(err)) => Err(err),
    }
}
