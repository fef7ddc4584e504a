//! The embedded SQLite store: one database file per site.
//!
//! This module tree owns every SQL statement of the local store; nothing
//! outside it sees a `rusqlite` type except through `StoreError`.
//!
//! Locking: the database runs in WAL mode, so readers never block the
//! writer and see only committed transactions. Writers take the write lock
//! at `begin` (`BEGIN IMMEDIATE`) and wait up to the busy timeout for it;
//! SQLITE_BUSY and SQLITE_LOCKED surface as `StoreError::Busy` wherever
//! they happen. Every read that needs more than one statement runs in one
//! read transaction, so it sees a single snapshot.
//!
//! Compatibility: the schema lives in [`migrations::MIGRATIONS`]; an older
//! database is migrated when opened, a newer one is refused.

mod bulk;
mod canonical;
mod edges;
mod events;
mod export;
mod failure;
mod feed;
mod ledger;
mod lines;
pub(crate) mod migrate;
mod migrations;
mod open;
mod renamed;
mod row;
mod schema;
mod sent;
mod sites;
#[cfg(test)]
mod tests;
mod txn;

use std::time::Duration;

use rusqlite::Connection;

use crate::store::codec;
use failure::{classify, sql};

pub use schema::MIGRATIONS;
pub use txn::SqliteTxn;

use crate::cursor::Cursor;
use crate::model::CanonicalRecord;
use crate::store::{
    CanonicalFilter, Event, ExportLines, ExportRow, LedgerEntry, NewKey, NewSite, PolicyChange,
    Result, Sent, Site, Store, StoreError, TrustedKey, Txn, Visit,
};

/// The feed clock: the current time in unix milliseconds.
pub type Clock = dyn Fn() -> i64 + Send;

/// Connection settings for [`SqliteStore::open_with`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenOptions {
    /// How long to wait for another connection's lock before `Busy`.
    pub busy_timeout: Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// A site's store in one SQLite file (or in memory, for tests). Sendable to
/// another thread; not shareable: open one per thread or process instead.
pub struct SqliteStore {
    conn: Connection,
    clock: Box<Clock>,
}

impl Store for SqliteStore {
    fn begin(&mut self) -> Result<Box<dyn Txn + '_>> {
        Ok(Box::new(SqliteTxn::begin(&mut self.conn, &*self.clock)?))
    }

    fn local_cursor(&self) -> Result<Option<Cursor>> {
        self.read(feed::local_cursor)
    }

    fn cursor_at(&self, seq: u64) -> Result<Option<Cursor>> {
        self.read(|c| feed::cursor_at(c, seq))
    }

    fn cursor_floor(&self, point: Cursor) -> Result<Option<Cursor>> {
        self.read(|c| feed::cursor_floor(c, point))
    }

    fn canonical(&self, merge_hash: &str) -> Result<Option<CanonicalRecord>> {
        self.read(|c| canonical::get(c, merge_hash))
    }

    fn list_canonicals(
        &self,
        filter: &CanonicalFilter,
        visit: Visit<CanonicalRecord>,
    ) -> Result<()> {
        self.read(|c| canonical::list(c, filter, visit))
    }

    fn export_rows_for(
        &self,
        since: Option<u64>,
        upto: u64,
        skip_via: Option<&str>,
        visit: Visit<ExportRow>,
    ) -> Result<()> {
        self.read(|c| export::rows(c, since, upto, skip_via, visit))
    }

    fn export_lines_for(
        &self,
        since: Option<u64>,
        upto: u64,
        skip_via: Option<&str>,
        visit: &mut dyn FnMut(ExportLines<'_>) -> std::io::Result<()>,
    ) -> Result<()> {
        self.read(|c| export::lines(c, since, upto, skip_via, visit))
    }

    fn export_sizes_for(
        &self,
        since: Option<u64>,
        skip_via: Option<&str>,
    ) -> Result<Vec<(Cursor, u64)>> {
        self.read(|c| export::sizes(c, since, skip_via))
    }

    fn export_summary_for(
        &self,
        since: Option<u64>,
        skip_via: Option<&str>,
    ) -> Result<Option<(Cursor, u64)>> {
        if skip_via.is_some() {
            return Ok(crate::store::summary_of(
                &self.export_sizes_for(since, skip_via)?,
            ));
        }
        self.read(|c| export::summary(c, since))
    }

    fn sent(&self) -> Result<Vec<Sent>> {
        self.read(sent::list)
    }

    fn record_sent(&mut self, sent: &Sent) -> Result<()> {
        self.write(|c| sent::record(c, sent))
    }

    fn sites(&self) -> Result<Vec<Site>> {
        self.read(sites::list)
    }

    fn site(&self, id: &str) -> Result<Option<Site>> {
        self.read(|c| sites::get(c, id))
    }

    fn add_site(&mut self, site: &NewSite) -> Result<()> {
        self.write(|c| sites::add(c, site))
    }

    fn remove_site(&mut self, id: &str, at: &str) -> Result<()> {
        self.write(|c| sites::remove(c, id, at))
    }

    fn site_removed_at(&self, id: &str) -> Result<Option<String>> {
        self.read(|c| sites::removed_at(c, id))
    }

    fn update_policy(&mut self, id: &str, change: &PolicyChange) -> Result<()> {
        self.write(|c| sites::update_policy(c, id, change))
    }

    fn add_key(&mut self, site_id: &str, key: &NewKey) -> Result<()> {
        self.write(|c| sites::add_key(c, site_id, key))
    }

    fn revoke_key(&mut self, site_id: &str, key_id: &str, at: &str) -> Result<()> {
        self.write(|c| sites::revoke_key(c, site_id, key_id, at))
    }

    fn keys(&self, site_id: &str) -> Result<Vec<TrustedKey>> {
        self.read(|c| sites::keys(c, site_id))
    }

    fn history(&self, site_id: &str, limit: usize) -> Result<Vec<LedgerEntry>> {
        self.read(|c| {
            if !sites::exists(c, site_id)? {
                return Err(StoreError::UnknownSite(site_id.to_owned()));
            }
            ledger::history(c, site_id, limit)
        })
    }

    fn ledger_by_manifest(&self, site_id: &str, manifest: &str) -> Result<Option<LedgerEntry>> {
        self.read(|c| ledger::by_manifest(c, site_id, manifest))
    }

    fn events(&self, since: u64, limit: usize) -> Result<Vec<Event>> {
        self.read(|c| events::since(c, since, limit))
    }
}
