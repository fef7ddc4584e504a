//! Beginning a write transaction: taking the schema's writer lock (polled
//! every [`POLL`] until the lock timeout) and reading the feed head once
//! the lock is held; ending a bulk load; the next feed cursor.
//!
//! Invariant: a [`PgTxn`] exists only while its transaction holds the
//! writer lock, so the head it read stays the newest until it ends.

use std::time::{Duration, Instant};

use postgres::Client;

use super::{POLL, PgTxn};
use crate::cursor::Cursor;
use crate::store::postgres::conn::pg;
use crate::store::postgres::{Clock, bulk, feed};
use crate::store::{Result, StoreError};

/// The writer lock as named in `LockTimeout`.
fn lock_name(schema: &str, key: i64) -> String {
    format!("stella writer lock for schema {schema} (advisory lock {key})")
}

impl<'a> PgTxn<'a> {
    pub(in crate::store::postgres) fn begin(
        client: &'a mut Client,
        clock: &'a Clock,
        (schema, key): (&str, i64),
        timeout: Duration,
    ) -> Result<Self> {
        let mut tx = client.transaction().map_err(pg)?;
        let started = Instant::now();
        loop {
            let row = tx
                .query_one("SELECT pg_try_advisory_xact_lock($1)", &[&key])
                .map_err(pg)?;
            if row.try_get::<_, bool>(0).map_err(pg)? {
                break;
            }
            let waited = started.elapsed();
            if waited >= timeout {
                return Err(StoreError::LockTimeout {
                    lock: lock_name(schema, key),
                    waited_ms: u64::try_from(waited.as_millis()).unwrap_or(u64::MAX),
                });
            }
            std::thread::sleep(POLL.min(timeout - waited));
        }
        let head = feed::head(&mut tx)?;
        Ok(Self {
            tx,
            clock,
            head,
            bulk: None,
            lock_wait: timeout,
        })
    }

    /// Ends a bulk load, if one runs: indexes and constraints come back
    /// before anything reads or deletes.
    pub(super) fn settle(&mut self) -> Result<()> {
        match self.bulk.take() {
            Some(statements) => bulk::restore(&mut self.tx, &statements),
            None => Ok(()),
        }
    }

    pub(super) fn next(&mut self) -> Result<Cursor> {
        self.head.advance((self.clock)())
    }
}
