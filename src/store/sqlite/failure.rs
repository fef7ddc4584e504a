//! Where a `rusqlite` error becomes a [`StoreError`]: its extended result
//! code and text are kept as a [`DbFailure`], and SQLITE_BUSY /
//! SQLITE_LOCKED become [`StoreError::Busy`].
//!
//! Invariant: no `rusqlite` value leaves the SQLite store; the text kept is
//! the driver's own, so messages read as before.

use crate::store::{DbCode, DbFailure, Result, StoreError};

/// SQLite primary result codes for a lock held by another connection.
const SQLITE_BUSY: i32 = 5;
const SQLITE_LOCKED: i32 = 6;

/// The driver's error as plain data.
pub fn failure(err: &rusqlite::Error) -> DbFailure {
    DbFailure {
        code: err.sqlite_error().map(|e| DbCode::Sqlite(e.extended_code)),
        message: err.to_string(),
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        StoreError::Sqlite(failure(&err))
    }
}

/// Whether SQLite reported a lock it could not take in time.
pub fn is_busy(failure: &DbFailure) -> bool {
    matches!(failure.sqlite_primary(), Some(SQLITE_BUSY | SQLITE_LOCKED))
}

/// Turns SQLITE_BUSY / SQLITE_LOCKED into `StoreError::Busy`.
pub fn classify<T>(result: Result<T>) -> Result<T> {
    result.map_err(|err| match err {
        StoreError::Sqlite(f) if is_busy(&f) => StoreError::Busy,
        other => other,
    })
}

pub fn sql<T>(result: rusqlite::Result<T>) -> Result<T> {
    classify(result.map_err(StoreError::from))
}
