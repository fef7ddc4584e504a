//! The one runner for SQLite schemas kept as an append-only list of steps
//! on `PRAGMA user_version`: the store's (`migrations`) and the import
//! journal's (`crate::journal`).
//!
//! Invariants:
//! - A list only ever grows. Step `i` takes a database from
//!   `user_version = i` to `i + 1`: the version is the step's index, nothing
//!   else keys a step. Never edit or reorder a shipped step.
//! - A step is SQL text or a Rust function (for what SQL cannot do); a Rust
//!   step runs its own SQL too, so one version is one step.
//! - The pending steps run in one `BEGIN EXCLUSIVE` transaction, with
//!   `user_version` set after each: a database is either fully at the new
//!   version or untouched, and running again is a no-op.
//! - A database whose `user_version` is beyond the list (written by a newer
//!   stella) is refused, never downgraded or written to.
//! - A current database is recognised without taking the write lock.

use rusqlite::{Connection, Transaction, TransactionBehavior};

/// One schema step: SQL text, or a Rust function run in the migration's
/// transaction. `E` is the caller's error type.
pub enum Step<E> {
    Sql(&'static str),
    Rust(fn(&Connection) -> Result<(), E>),
}

impl<E: From<rusqlite::Error>> Step<E> {
    /// Runs the step on `conn` (inside the caller's transaction).
    pub fn apply(&self, conn: &Connection) -> Result<(), E> {
        match self {
            Self::Sql(sql) => Ok(conn.execute_batch(sql)?),
            Self::Rust(run) => run(conn),
        }
    }
}

/// Why a migration did not run.
#[derive(Debug)]
pub enum MigrateError<E> {
    /// The database is at `found`, beyond the `known` steps of this build.
    TooNew { found: i64, known: i64 },
    /// A statement or step failed; nothing was changed.
    Failed(E),
}

impl<E> From<rusqlite::Error> for MigrateError<E>
where
    E: From<rusqlite::Error>,
{
    fn from(err: rusqlite::Error) -> Self {
        Self::Failed(E::from(err))
    }
}

/// The version a list of steps brings a database to.
pub fn known_version<E>(steps: &[Step<E>]) -> i64 {
    i64::try_from(steps.len()).unwrap_or(i64::MAX)
}

/// The database's `user_version`.
pub fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Whether the database is at the list's version (without a lock).
pub fn is_current<E>(conn: &Connection, steps: &[Step<E>]) -> rusqlite::Result<bool> {
    Ok(user_version(conn)? == known_version(steps))
}

fn check<E>(found: i64, steps: &[Step<E>]) -> Result<(), MigrateError<E>> {
    let known = known_version(steps);
    if found > known {
        return Err(MigrateError::TooNew { found, known });
    }
    Ok(())
}

/// Brings the database to the list's version, or refuses a newer one.
/// Returns the version it was at (read under the lock when it had to wait).
pub fn migrate<E>(conn: &mut Connection, steps: &[Step<E>]) -> Result<i64, MigrateError<E>>
where
    E: From<rusqlite::Error>,
{
    let found = user_version(conn)?;
    check(found, steps)?;
    if found == known_version(steps) {
        return Ok(found);
    }
    let tx = Transaction::new(conn, TransactionBehavior::Exclusive)?;
    // Another process may have migrated between the check and the lock.
    let found = user_version(&tx)?;
    check(found, steps)?;
    let done = usize::try_from(found).unwrap_or(0);
    for (i, step) in steps.iter().enumerate().skip(done) {
        step.apply(&tx).map_err(MigrateError::Failed)?;
        tx.pragma_update(None, "user_version", known_version(&steps[..=i]))?;
    }
    tx.commit()?;
    Ok(found)
}

#[cfg(test)]
mod tests;
