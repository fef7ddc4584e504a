//! The schema: an append-only migration list and the version check.
//!
//! Invariants:
//! - `MIGRATIONS` only ever grows; entry `i` takes a schema from version `i`
//!   to `i + 1`. Never edit a shipped entry.
//! - Each migration runs in its own transaction together with its version
//!   bump, so the schema is always exactly at some version.
//! - All of `migrate` runs under a session-level advisory lock keyed by the
//!   schema name, so two hosts never migrate one schema at once; the second
//!   finds the work done. A newer schema is refused untouched.
//!
//! Compatibility: times, cursors and JSON lists are TEXT in the SQLite
//! store's exact forms; ids are `uuid`; text that is sorted or compared as a
//! key is `COLLATE "C"` (byte order, as the model requires).

use std::time::{Duration, Instant};

use postgres::Client;
use postgres::error::SqlState;

use super::conn;
pub use super::migrations::MIGRATIONS;
use crate::store::{Result, StoreError};

/// What [`migrate`](super::migrate) did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrateReport {
    pub schema: String,
    /// The version found (0 for a missing schema).
    pub from: i64,
    /// The version left; equal to `from` when nothing was pending.
    pub to: i64,
}

/// The schema version this build writes: the number of migrations.
pub fn known_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// The stored version, 0 when the schema or its version table is missing.
pub fn version(client: &mut Client, schema: &str) -> Result<i64, postgres::Error> {
    let table = format!("{schema}.schema_version");
    let row = client.query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])?;
    if !row.try_get::<_, bool>(0)? {
        return Ok(0);
    }
    let sql = format!("SELECT max(version) FROM {schema}.schema_version");
    let found: Option<i64> = client.query_one(&sql, &[])?.try_get(0)?;
    Ok(found.unwrap_or(0))
}

/// Refuses a schema that is behind or newer than this build.
pub fn require_current(schema: &str, found: i64) -> Result<()> {
    let known = known_version();
    if found < known {
        return Err(StoreError::SchemaBehind {
            schema: schema.to_owned(),
            found,
            expected: known,
        });
    }
    if found > known {
        return Err(StoreError::SchemaNewer {
            schema: schema.to_owned(),
            found,
            known,
        });
    }
    Ok(())
}

/// Applies the pending migrations; the caller holds the migration lock.
pub fn apply(client: &mut Client, schema: &str) -> Result<MigrateReport, MigrateFail> {
    client.batch_execute(&format!(
        "CREATE SCHEMA IF NOT EXISTS {schema}; \
         CREATE TABLE IF NOT EXISTS {schema}.schema_version (version bigint NOT NULL)"
    ))?;
    let from = version(client, schema)?;
    let known = known_version();
    if from > known {
        return Err(MigrateFail::Store(StoreError::SchemaNewer {
            schema: schema.to_owned(),
            found: from,
            known,
        }));
    }
    let done = usize::try_from(from).unwrap_or(0);
    for (i, migration) in MIGRATIONS.iter().enumerate().skip(done) {
        let mut tx = client.transaction()?;
        tx.batch_execute(&format!("SET LOCAL search_path TO {schema}"))?;
        tx.batch_execute(migration)?;
        let to = i64::try_from(i + 1).unwrap_or(i64::MAX);
        tx.execute(&format!("DELETE FROM {schema}.schema_version"), &[])?;
        let insert = format!("INSERT INTO {schema}.schema_version (version) VALUES ($1)");
        tx.execute(&insert, &[&to])?;
        tx.commit()?;
    }
    Ok(MigrateReport {
        schema: schema.to_owned(),
        from,
        to: from.max(known),
    })
}

/// A failed migration: a refusal, or a driver error still to be scrubbed.
pub enum MigrateFail {
    Store(StoreError),
    Pg(postgres::Error),
}

impl From<postgres::Error> for MigrateFail {
    fn from(e: postgres::Error) -> Self {
        MigrateFail::Pg(e)
    }
}

/// Takes the session advisory lock, waiting at most `timeout` (the
/// server's `lock_timeout` bounds the wait).
fn lock(client: &mut Client, schema: &str, key: i64, timeout: Duration) -> Result<(), MigrateFail> {
    let ms = timeout.as_millis().clamp(1, i32::MAX as u128);
    client.batch_execute(&format!("SET lock_timeout = {ms}"))?;
    let started = Instant::now();
    let locked = client.execute("SELECT pg_advisory_lock($1)", &[&key]);
    client.batch_execute("RESET lock_timeout")?;
    match locked {
        Ok(_) => Ok(()),
        Err(e) if conn::is_code(&e, &SqlState::LOCK_NOT_AVAILABLE) => {
            Err(MigrateFail::Store(StoreError::LockTimeout {
                lock: format!("stella migration lock for schema {schema} (advisory lock {key})"),
                waited_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            }))
        }
        Err(e) => Err(e.into()),
    }
}

/// Runs [`apply`] under the session advisory lock, releasing it after.
pub fn migrate_locked(
    client: &mut Client,
    config: &postgres::Config,
    schema: &str,
    timeout: Duration,
) -> Result<MigrateReport> {
    let key = conn::lock_key("migrate", schema);
    let to_store = |fail: MigrateFail| match fail {
        MigrateFail::Store(e) => e,
        MigrateFail::Pg(e) => conn::pg_scrubbed(config)(e),
    };
    lock(client, schema, key, timeout).map_err(to_store)?;
    let result = apply(client, schema).map_err(to_store);
    let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&key]);
    let report = result?;
    unlocked.map_err(conn::pg_scrubbed(config))?;
    Ok(report)
}
