//! The store's schema: connection settings, and running the append-only
//! migration list (`migrations.rs`).
//!
//! Invariants:
//! - `MIGRATIONS` only ever grows; entry `i` takes a database from
//!   `user_version = i` to `i + 1`. Never edit a shipped entry. A step SQL
//!   cannot take (`AFTER`) runs right after the entry it belongs to.
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

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::store::{Result, StoreError};

use super::migrations::AFTER;
pub use super::migrations::MIGRATIONS;

/// The schema version this build writes: the number of migrations.
pub fn known_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

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

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

fn check_version(found: i64, path: &Path) -> Result<()> {
    let known = known_version();
    if found > known {
        return Err(StoreError::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            known,
        });
    }
    Ok(())
}

/// Brings the schema up to [`known_version`], or refuses a newer one.
///
/// A current schema is recognised without taking the write lock, so opening
/// a store never waits for another process's import.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let found = user_version(conn)?;
    check_version(found, path)?;
    if found == known_version() {
        return Ok(());
    }
    let tx = Transaction::new(conn, TransactionBehavior::Exclusive)?;
    // Another process may have migrated between the check and the lock.
    let found = user_version(&tx)?;
    check_version(found, path)?;
    let known = known_version();
    let done = usize::try_from(found).unwrap_or(0);
    for (i, migration) in MIGRATIONS.iter().enumerate().skip(done) {
        tx.execute_batch(migration)?;
        for after in AFTER.iter().filter(|after| after.version == i + 1) {
            (after.run)(&tx)?;
        }
    }
    tx.pragma_update(None, "user_version", known)?;
    tx.commit()?;
    Ok(())
}
