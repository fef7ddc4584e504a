//! The store's error type, the same for every backend: a driver's error is
//! converted where the driver is called (`sqlite::error`, `postgres::conn`)
//! into a [`DbFailure`] that keeps its message and code as plain data.
//!
//! Invariants:
//! - No variant holds a driver type; the messages are the driver's text as
//!   it was, so what a user reads does not depend on where it was converted.
//! - [`StoreError::caused_by_data`] is true only when the database refused
//!   the data written (a constraint, a value it cannot hold), never for a
//!   connection, I/O, busy or schema failure.

use std::fmt;

/// The code a database gave with an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbCode {
    /// SQLite's extended result code (its low byte is the primary code).
    Sqlite(i32),
    /// PostgreSQL's five-character SQLSTATE.
    SqlState(String),
}

/// A database's error as plain data: its code when it gave one, and the
/// text to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbFailure {
    pub code: Option<DbCode>,
    pub message: String,
}

/// SQLite primary result codes for data the database refused.
const SQLITE_TOOBIG: i32 = 18;
const SQLITE_CONSTRAINT: i32 = 19;
const SQLITE_MISMATCH: i32 = 20;

impl DbFailure {
    /// A failure stella describes itself, with no database code.
    pub fn other(message: impl Into<String>) -> Self {
        Self {
            code: None,
            message: message.into(),
        }
    }

    /// SQLite's primary result code, when this came from SQLite.
    pub fn sqlite_primary(&self) -> Option<i32> {
        match self.code {
            Some(DbCode::Sqlite(code)) => Some(code & 0xff),
            _ => None,
        }
    }

    /// See [`StoreError::caused_by_data`].
    pub fn caused_by_data(&self) -> bool {
        match &self.code {
            Some(DbCode::Sqlite(code)) => matches!(
                code & 0xff,
                SQLITE_TOOBIG | SQLITE_CONSTRAINT | SQLITE_MISMATCH
            ),
            Some(DbCode::SqlState(state)) => {
                state == "P0001" || ["22", "23", "54"].iter().any(|c| state.starts_with(c))
            }
            None => false,
        }
    }
}

impl fmt::Display for DbFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DbFailure {}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the store `{path}`: {source}")]
    Open {
        path: std::path::PathBuf,
        source: DbFailure,
    },
    #[error(
        "the store `{path}` has schema version {found}, newer than this stella knows ({known}): upgrade stella"
    )]
    SchemaTooNew {
        path: std::path::PathBuf,
        found: i64,
        known: i64,
    },
    #[error("the store is busy: another stella process holds it; try again when it has finished")]
    Busy,
    #[error("store query failed: {0}")]
    Sqlite(DbFailure),
    #[error("stored row is corrupt ({what}): {detail}")]
    Corrupt { what: &'static str, detail: String },
    #[error("site `{0}` is already registered")]
    SiteExists(String),
    #[error(
        "unknown site `{0}`: register it with `stella feedser sites add {0} --display-name NAME --key PUB.pem`"
    )]
    UnknownSite(String),
    #[error("key `{key_id}` is already trusted for site `{site_id}`")]
    KeyExists { site_id: String, key_id: String },
    #[error(
        "key `{key_id}` is not a key of site `{site_id}`: `stella feedser sites policy {site_id}` lists its keys"
    )]
    UnknownKey { site_id: String, key_id: String },
    #[error(
        "cannot connect to PostgreSQL at {target}: {detail}; check that the server runs there, the database exists and the user may log in"
    )]
    Connect { target: String, detail: String },
    #[error("PostgreSQL error: {0}")]
    Postgres(DbFailure),
    #[error(
        "the schema `{schema}` is at version {found}, behind this stella's {expected}: run `stella db migrate`"
    )]
    SchemaBehind {
        schema: String,
        found: i64,
        expected: i64,
    },
    #[error(
        "the schema `{schema}` is at version {found}, newer than this stella knows ({known}): upgrade stella"
    )]
    SchemaNewer {
        schema: String,
        found: i64,
        known: i64,
    },
    #[error(
        "another stella holds the writer lock `{lock}`; gave up after {waited_ms} ms: try again when it has finished"
    )]
    LockTimeout { lock: String, waited_ms: u64 },
    #[error(
        "another session is reading `canonicals`, `edges` or `taken`, which a full import into an empty store needs alone; gave up after {waited_ms} ms: try again when it has finished"
    )]
    TablesBusy { waited_ms: u64 },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// Whether the database refused the data itself: a PostgreSQL data
    /// exception (SQLSTATE class 22), integrity constraint violation (23),
    /// program limit (54) or `RAISE EXCEPTION` (P0001); a SQLite constraint
    /// (a trigger's `RAISE(ABORT, ...)` included), SQLITE_TOOBIG or
    /// SQLITE_MISMATCH. False for every other error.
    pub fn caused_by_data(&self) -> bool {
        match self {
            Self::Sqlite(failure) | Self::Postgres(failure) => failure.caused_by_data(),
            _ => false,
        }
    }
}
