//! `impl Store for PgStore`: each call is one transaction (see the parent
//! module's locking notes); listings and exports stream from a portal.

use super::{PgStore, PgTxn, canonical, events, export, feed, ledger, sent, sites};
use crate::cursor::Cursor;
use crate::model::CanonicalRecord;
use crate::store::{
    CanonicalFilter, Event, ExportRow, LedgerEntry, NewKey, NewSite, PolicyChange, Result, Sent,
    Site, Store, StoreError, TrustedKey, Txn, Visit,
};

impl Store for PgStore {
    fn begin(&mut self) -> Result<Box<dyn Txn + '_>> {
        let lock = (self.schema.as_str(), self.lock_key);
        let txn = PgTxn::begin(self.client.get_mut(), &*self.clock, lock, self.lock_timeout)?;
        Ok(Box::new(txn))
    }

    fn local_cursor(&self) -> Result<Option<Cursor>> {
        self.read(feed::local_cursor)
    }

    fn cursor_at(&self, seq: u64) -> Result<Option<Cursor>> {
        self.read(|tx| feed::cursor_at(tx, seq))
    }

    fn cursor_floor(&self, point: Cursor) -> Result<Option<Cursor>> {
        self.read(|tx| feed::cursor_floor(tx, point))
    }

    fn canonical(&self, merge_hash: &str) -> Result<Option<CanonicalRecord>> {
        self.read(|tx| canonical::get(tx, merge_hash))
    }

    fn list_canonicals(
        &self,
        filter: &CanonicalFilter,
        visit: Visit<CanonicalRecord>,
    ) -> Result<()> {
        self.read(|tx| canonical::list(tx, filter, visit))
    }

    fn export_rows_for(
        &self,
        since: Option<u64>,
        upto: u64,
        skip_via: Option<&str>,
        visit: Visit<ExportRow>,
    ) -> Result<()> {
        self.read(|tx| export::rows(tx, since, upto, skip_via, visit))
    }

    fn export_sizes_for(
        &self,
        since: Option<u64>,
        skip_via: Option<&str>,
    ) -> Result<Vec<(Cursor, u64)>> {
        self.read(|tx| export::sizes(tx, since, skip_via))
    }

    fn sent(&self) -> Result<Vec<Sent>> {
        self.read(sent::list)
    }

    fn record_sent(&mut self, sent: &Sent) -> Result<()> {
        self.write(|tx| sent::record(tx, sent))
    }

    fn sites(&self) -> Result<Vec<Site>> {
        self.read(sites::list)
    }

    fn site(&self, id: &str) -> Result<Option<Site>> {
        self.read(|tx| sites::get(tx, id))
    }

    fn add_site(&mut self, site: &NewSite) -> Result<()> {
        self.write(|tx| sites::add(tx, site))
    }

    fn remove_site(&mut self, id: &str, at: &str) -> Result<()> {
        self.write(|tx| sites::remove(tx, id, at))
    }

    fn site_removed_at(&self, id: &str) -> Result<Option<String>> {
        self.read(|tx| sites::removed_at(tx, id))
    }

    fn update_policy(&mut self, id: &str, change: &PolicyChange) -> Result<()> {
        self.write(|tx| sites::update_policy(tx, id, change))
    }

    fn add_key(&mut self, site_id: &str, key: &NewKey) -> Result<()> {
        self.write(|tx| sites::add_key(tx, site_id, key))
    }

    fn revoke_key(&mut self, site_id: &str, key_id: &str, at: &str) -> Result<()> {
        self.write(|tx| sites::revoke_key(tx, site_id, key_id, at))
    }

    fn keys(&self, site_id: &str) -> Result<Vec<TrustedKey>> {
        self.read(|tx| sites::keys(tx, site_id))
    }

    fn history(&self, site_id: &str, limit: usize) -> Result<Vec<LedgerEntry>> {
        self.read(|tx| {
            if !sites::exists(tx, site_id)? {
                return Err(StoreError::UnknownSite(site_id.to_owned()));
            }
            ledger::history(tx, site_id, limit)
        })
    }

    fn ledger_by_manifest(&self, site_id: &str, manifest: &str) -> Result<Option<LedgerEntry>> {
        self.read(|tx| ledger::by_manifest(tx, site_id, manifest))
    }

    fn events(&self, since: u64, limit: usize) -> Result<Vec<Event>> {
        self.read(|tx| events::since(tx, since, limit))
    }
}
