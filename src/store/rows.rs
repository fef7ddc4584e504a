//! The one row-decoding layer of both stores: each table's column list,
//! written once and used by both backends' SELECTs, and one decoding
//! function per row type over [`RowGet`], which both drivers' rows
//! implement (`sqlite::failure`, `postgres::codec`).
//!
//! Invariants:
//! - A decoder reads columns in exactly the order of its list; a list
//!   changes only together with its decoder (and both schemas).
//! - A value the column type holds but the model refuses (a bad enum name,
//!   JSON, cursor or negative count) is `StoreError::Corrupt`, naming the
//!   column and the row's key; a value of the wrong type is the driver's
//!   error, converted where the driver is called.

use uuid::Uuid;

use super::codec;
use crate::model::{Canonical, SourceEdge};
use crate::store::{ImportCounts, LedgerEntry, Result, Site, TrustedKey};

/// Typed column access by index, the same for every driver.
pub trait RowGet {
    fn text(&self, i: usize) -> Result<String>;
    fn opt_text(&self, i: usize) -> Result<Option<String>>;
    fn int(&self, i: usize) -> Result<i64>;
    fn opt_int(&self, i: usize) -> Result<Option<i64>>;
    fn flag(&self, i: usize) -> Result<bool>;
    /// A UUID column: stored as text (SQLite, checked as `what` of row
    /// `key`) or as `uuid` (PostgreSQL).
    fn uuid(&self, i: usize, what: &'static str, key: &str) -> Result<Uuid>;
}

/// The sites' columns, in the order [`site`] reads them.
pub const SITE_COLUMNS: &str = "site_id, display_name, enabled, max_bundle_size, allowed_sources, \
     created_at, last_cursor, last_sync_at, bundles_imported, items_imported, on_conflict";

/// A site's trusted keys' columns, in the order [`trusted_key`] reads them.
pub const KEY_COLUMNS: &str = "key_id, public_pem, added_at, revoked_at";

/// The ledger's columns, in the order [`ledger_entry`] reads them (and
/// both stores insert them).
pub const LEDGER_COLUMNS: &str = "site_id, bundle_hash, manifest_sha256, since_cursor, \
     export_cursor, imported_at, signer_key_id, signature_skipped, forced, canonical_created, \
     canonical_updated, canonical_skipped, edges_added, deletions_processed, \
     canonical_filtered, edges_filtered, conflicts, items, reason, canonical_stale, \
     canonical_echo, deletions_refused";

/// The canonicals' columns, in the order [`canonical`] reads them.
pub const CANONICAL_COLUMNS: &str = "merge_hash, id, cve, affects_key, status, severity, title, \
     summary, cvss_vector, version_range, weaknesses, patch_lineage, published, modified, history";

/// The edges' columns, in the order [`edge`] reads them.
pub const EDGE_COLUMNS: &str =
    "merge_hash, source, source_advisory_id, id, canonical_id, vendor_status, source_sha256";

pub fn site(row: &(impl RowGet + ?Sized)) -> Result<Site> {
    let site_id = row.text(0)?;
    let key = site_id.as_str();
    Ok(Site {
        display_name: row.text(1)?,
        enabled: row.flag(2)?,
        max_bundle_size: row
            .opt_int(3)?
            .map(|v| codec::count("sites.max_bundle_size", key, v))
            .transpose()?,
        allowed_sources: row
            .opt_text(4)?
            .map(|t| codec::from_json("sites.allowed_sources", key, &t))
            .transpose()?,
        created_at: row.text(5)?,
        last_cursor: codec::opt_cursor("sites.last_cursor", key, row.opt_text(6)?)?,
        last_sync_at: row.opt_text(7)?,
        bundles_imported: codec::count("sites.bundles_imported", key, row.int(8)?)?,
        items_imported: codec::count("sites.items_imported", key, row.int(9)?)?,
        on_conflict: row.opt_text(10)?,
        site_id,
    })
}

pub fn trusted_key(row: &(impl RowGet + ?Sized)) -> Result<TrustedKey> {
    Ok(TrustedKey {
        key_id: row.text(0)?,
        public_pem: row.text(1)?,
        added_at: row.text(2)?,
        revoked_at: row.opt_text(3)?,
    })
}

pub fn ledger_entry(row: &(impl RowGet + ?Sized)) -> Result<LedgerEntry> {
    let bundle_hash = row.text(1)?;
    let key = bundle_hash.as_str();
    let counts = ledger_counts(key, |i| row.int(i))?;
    Ok(LedgerEntry {
        site_id: row.text(0)?,
        manifest_sha256: row.text(2)?,
        since_cursor: codec::opt_cursor("ledger.since_cursor", key, row.opt_text(3)?)?,
        export_cursor: codec::cursor("ledger.export_cursor", key, &row.text(4)?)?,
        imported_at: row.text(5)?,
        signer_key_id: row.opt_text(6)?,
        signature_skipped: row.flag(7)?,
        forced: row.flag(8)?,
        counts,
        items: codec::count("ledger.items", key, row.int(17)?)?,
        reason: row.opt_text(18)?,
        advances: true,
        bundle_hash,
    })
}

/// The counters of a ledger row (columns 9 to 16 and 19 to 21 of
/// [`LEDGER_COLUMNS`]).
fn ledger_counts(key: &str, get: impl Fn(usize) -> Result<i64>) -> Result<ImportCounts> {
    let n = |i: usize, what: &'static str| -> Result<u64> { codec::count(what, key, get(i)?) };
    Ok(ImportCounts {
        canonical_created: n(9, "ledger.canonical_created")?,
        canonical_updated: n(10, "ledger.canonical_updated")?,
        canonical_skipped: n(11, "ledger.canonical_skipped")?,
        edges_added: n(12, "ledger.edges_added")?,
        deletions_processed: n(13, "ledger.deletions_processed")?,
        canonical_filtered: n(14, "ledger.canonical_filtered")?,
        edges_filtered: n(15, "ledger.edges_filtered")?,
        conflicts: n(16, "ledger.conflicts")?,
        stale: n(19, "ledger.canonical_stale")?,
        echo: n(20, "ledger.canonical_echo")?,
        deletions_refused: n(21, "ledger.deletions_refused")?,
    })
}

/// The [`CANONICAL_COLUMNS`] starting at column `at` of `row`.
pub fn canonical(row: &(impl RowGet + ?Sized), at: usize) -> Result<Canonical> {
    let merge_hash = row.text(at)?;
    let key = merge_hash.as_str();
    let text = |i: usize| row.text(at + i);
    Ok(Canonical {
        id: row.uuid(at + 1, "canonicals.id", key)?,
        cve: text(2)?,
        affects_key: text(3)?,
        status: codec::status("canonicals.status", key, &text(4)?)?,
        severity: codec::severity("canonicals.severity", key, &text(5)?)?,
        title: text(6)?,
        summary: text(7)?,
        cvss_vector: row.opt_text(at + 8)?,
        version_range: codec::from_json("canonicals.version_range", key, &text(9)?)?,
        weaknesses: codec::from_json("canonicals.weaknesses", key, &text(10)?)?,
        patch_lineage: codec::from_json("canonicals.patch_lineage", key, &text(11)?)?,
        published: row.opt_text(at + 12)?,
        modified: row.opt_text(at + 13)?,
        history: codec::opt_json("canonicals.history", key, row.opt_text(at + 14)?)?,
        merge_hash,
    })
}

pub fn edge(row: &(impl RowGet + ?Sized)) -> Result<SourceEdge> {
    let merge_hash = row.text(0)?;
    let key = merge_hash.as_str();
    Ok(SourceEdge {
        source: row.text(1)?,
        source_advisory_id: row.text(2)?,
        id: row.uuid(3, "edges.id", key)?,
        canonical_id: row.uuid(4, "edges.canonical_id", key)?,
        vendor_status: row.text(5)?,
        source_sha256: row.text(6)?,
        merge_hash,
    })
}
