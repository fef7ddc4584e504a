//! The PostgreSQL site store: one schema (default `vuln`) in a site's
//! database, with the same observable behaviour as the SQLite store.
//!
//! This module tree owns every PostgreSQL statement of the project; nothing
//! outside it sees a `postgres` type except through `StoreError`, and no
//! error ever carries the DSN's password.
//!
//! Locking: writers serialize on a transaction-level advisory lock per
//! schema, taken at `begin` and waited for up to `PgOptions::lock_timeout`
//! (see `txn`). Readers never take it: each read runs in one REPEATABLE
//! READ read-only transaction, so it sees a single committed snapshot.
//! `migrate` takes a separate session-level advisory lock. The one
//! exception: an import into an empty store (`bulk`) holds ACCESS EXCLUSIVE
//! locks on `canonicals`, `edges` and `taken` until it commits or rolls
//! back, so readers of that (still empty) store wait for it.
//!
//! Compatibility: the schema is the append-only [`MIGRATIONS`] list, applied
//! only by [`migrate`]; [`PgStore::connect`] refuses a schema that is behind
//! (`SchemaBehind`) or newer (`SchemaNewer`) than this build.

mod bulk;
mod canonical;
mod codec;
mod conn;
mod events;
mod export;
mod feed;
mod ledger;
mod migrations;
mod schema;
mod sent;
mod sites;
mod store;
#[cfg(test)]
pub(crate) mod tests;
mod txn;
mod write;

use std::cell::RefCell;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use postgres::{Client, IsolationLevel, Transaction};

pub use conn::check_schema;
pub use ledger::CHANNEL;
pub use schema::{MIGRATIONS, MigrateReport};
pub use txn::PgTxn;

use crate::store::{Result, StoreError};

/// The feed clock: the current time in unix milliseconds.
pub type Clock = dyn Fn() -> i64 + Send;

/// The schema name used when the configuration names none.
pub const DEFAULT_SCHEMA: &str = "vuln";

/// Connection settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PgOptions {
    /// How long `begin` waits for another writer (and `migrate` for another
    /// migration) before `LockTimeout`.
    pub lock_timeout: Duration,
}

impl Default for PgOptions {
    fn default() -> Self {
        Self {
            lock_timeout: Duration::from_secs(30),
        }
    }
}

/// A site's store in one PostgreSQL schema, over one connection. Sendable
/// to another thread; not shareable: connect one per thread instead.
pub struct PgStore {
    client: RefCell<Client>,
    schema: String,
    lock_key: i64,
    lock_timeout: Duration,
    clock: Box<Clock>,
}

fn system_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Creates or upgrades the schema to this build's version (see `schema`).
/// Waits at most `options.lock_timeout` for another host's migration.
pub fn migrate(dsn: &str, schema: &str, options: &PgOptions) -> Result<MigrateReport> {
    check_schema(schema)?;
    let (mut client, config) = conn::open(dsn)?;
    schema::migrate_locked(&mut client, &config, schema, options.lock_timeout)
}

impl PgStore {
    /// Connects and checks that the schema is at this build's version.
    pub fn connect(dsn: &str, schema: &str, options: &PgOptions) -> Result<Self> {
        check_schema(schema)?;
        let (mut client, config) = conn::open(dsn)?;
        let scrubbed = conn::pg_scrubbed(&config);
        let found = schema::version(&mut client, schema).map_err(&scrubbed)?;
        schema::require_current(schema, found)?;
        client
            .batch_execute(&format!("SET search_path TO {schema}"))
            .map_err(&scrubbed)?;
        write::create_stages(&mut client)?;
        Ok(Self {
            client: RefCell::new(client),
            schema: schema.to_owned(),
            lock_key: conn::lock_key("writer", schema),
            lock_timeout: options.lock_timeout,
            clock: Box::new(system_millis),
        })
    }

    /// Replaces the feed clock (unix milliseconds), for tests.
    pub fn with_clock(mut self, clock: Box<Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The connection; an error (not a panic) if a visitor re-enters the store.
    fn client(&self) -> Result<std::cell::RefMut<'_, Client>> {
        self.client.try_borrow_mut().map_err(|_| {
            StoreError::Postgres(crate::store::DbFailure::other(
                "the store connection is busy with a listing: finish it before the next query",
            ))
        })
    }

    /// Runs `f` in one read-only REPEATABLE READ transaction: one snapshot.
    fn read<T>(&self, f: impl FnOnce(&mut Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut client = self.client()?;
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(conn::pg)?;
        let value = f(&mut tx)?;
        tx.commit().map_err(conn::pg)?;
        Ok(value)
    }

    /// Runs `f` in one write transaction (without the writer lock: these
    /// are single-row site and key changes), committed when `f` succeeds.
    fn write<T>(&mut self, f: impl FnOnce(&mut Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut tx = self.client.get_mut().transaction().map_err(conn::pg)?;
        let value = f(&mut tx)?;
        tx.commit().map_err(conn::pg)?;
        Ok(value)
    }
}
