//! Opening a SQLite store (settings, migration) and running a closure in
//! one read or write transaction.
//!
//! Invariants:
//! - A database error while opening is `StoreError::Open` of the path (or
//!   `Busy` when another connection holds a lock); every other error of
//!   opening (a newer schema, a corrupt row met while migrating) is kept.
//! - `read` sees one snapshot; `write` commits only when its closure
//!   succeeded, and rolls back otherwise.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::failure::{classify, is_busy, sql};
use super::{Clock, OpenOptions, SqliteStore, schema};
use crate::store::{Result, StoreError};

fn system_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A database error of opening `path` as `Open` (or `Busy`).
fn open_error(path: &Path, err: StoreError) -> StoreError {
    match err {
        StoreError::Sqlite(f) if is_busy(&f) => StoreError::Busy,
        StoreError::Sqlite(source) => StoreError::Open {
            path: PathBuf::from(path),
            source,
        },
        other => other,
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the store file; its directory must exist.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, &OpenOptions::default())
    }

    pub fn open_with(path: &Path, options: &OpenOptions) -> Result<Self> {
        let conn = Connection::open(path).map_err(|e| open_error(path, StoreError::from(e)))?;
        Self::from_connection(conn, path, options)
    }

    /// A private, empty store, for tests.
    pub fn open_in_memory() -> Result<Self> {
        let path = Path::new(":memory:");
        let conn =
            Connection::open_in_memory().map_err(|e| open_error(path, StoreError::from(e)))?;
        Self::from_connection(conn, path, &OpenOptions::default())
    }

    /// Replaces the feed clock (unix milliseconds), for tests.
    pub fn with_clock(mut self, clock: Box<Clock>) -> Self {
        self.clock = clock;
        self
    }

    fn from_connection(mut conn: Connection, path: &Path, options: &OpenOptions) -> Result<Self> {
        schema::configure(&conn, options.busy_timeout)
            .map_err(|e| open_error(path, StoreError::from(e)))?;
        schema::migrate(&mut conn, path).map_err(|err| open_error(path, err))?;
        Ok(Self {
            conn,
            clock: Box::new(system_millis),
        })
    }

    /// Runs `f` in one read transaction: a single consistent snapshot.
    pub(super) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let tx = sql(self.conn.unchecked_transaction())?;
        classify(f(&tx))
    }

    /// Runs `f` in one write transaction, committed when `f` succeeds.
    pub(super) fn write<T>(&mut self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let tx = sql(Transaction::new(
            &mut self.conn,
            TransactionBehavior::Immediate,
        ))?;
        let value = classify(f(&tx))?;
        sql(tx.commit())?;
        Ok(value)
    }
}
