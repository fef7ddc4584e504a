//! The sync ledger (one row per committed import) and the per-site record
//! of what was last taken from each peer.
//!
//! Invariants:
//! - `record` advances the site's totals, writes the ledger row and queues
//!   `NOTIFY canonical_imported, '<bundle_hash>'` in the caller's
//!   transaction: all three land at commit or none does.
//! - A bundle is recorded at most once (`bundle_hash` is unique).
//! - Ledger order is insertion order (`ledger_id`).
//! - Taken digests are only written for a registered site; the check is in
//!   the statement itself, so a refusal never aborts the transaction.

use std::collections::HashMap;

use postgres::Transaction;

use super::codec::{self, col};
use super::conn::pg;
use crate::store::rows::{self, LEDGER_COLUMNS};
use crate::store::{LedgerEntry, Result, StoreError};

/// The channel `record` notifies, with the bundle hash as payload.
pub const CHANNEL: &str = "canonical_imported";

/// Advances the site, appends the ledger row and queues the notification.
pub fn record(tx: &mut Transaction<'_>, e: &LedgerEntry) -> Result<()> {
    let export_cursor = e.export_cursor.to_string();
    let items = codec::int(e.items);
    let updated = tx
        .execute(
            "UPDATE sites SET last_cursor = CASE WHEN $5 THEN $2 ELSE last_cursor END, \
             last_sync_at = $3, \
             bundles_imported = bundles_imported + 1, items_imported = items_imported + $4 \
             WHERE site_id = $1",
            &[
                &e.site_id,
                &export_cursor,
                &e.imported_at,
                &items,
                &e.advances,
            ],
        )
        .map_err(pg)?;
    if updated == 0 {
        return Err(StoreError::UnknownSite(e.site_id.clone()));
    }
    let c = &e.counts;
    let n = [
        c.canonical_created,
        c.canonical_updated,
        c.canonical_skipped,
        c.edges_added,
        c.deletions_processed,
        c.canonical_filtered,
        c.edges_filtered,
        c.conflicts,
        c.stale,
        c.echo,
        c.deletions_refused,
    ]
    .map(codec::int);
    let since = e.since_cursor.map(|c| c.to_string());
    let sql = format!(
        "INSERT INTO ledger ({LEDGER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)"
    );
    tx.execute(
        &sql,
        &[
            &e.site_id,
            &e.bundle_hash,
            &e.manifest_sha256,
            &since,
            &export_cursor,
            &e.imported_at,
            &e.signer_key_id,
            &e.signature_skipped,
            &e.forced,
            &n[0],
            &n[1],
            &n[2],
            &n[3],
            &n[4],
            &n[5],
            &n[6],
            &n[7],
            &items,
            &e.reason,
            &n[8],
            &n[9],
            &n[10],
        ],
    )
    .map_err(pg)?;
    tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &e.bundle_hash])
        .map_err(pg)?;
    Ok(())
}

/// The site's imports, newest first.
pub fn history(tx: &mut Transaction<'_>, site_id: &str, limit: usize) -> Result<Vec<LedgerEntry>> {
    let sql = format!(
        "SELECT {LEDGER_COLUMNS} FROM ledger WHERE site_id = $1 ORDER BY ledger_id DESC LIMIT $2"
    );
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let found = tx.query(&sql, &[&site_id, &limit]).map_err(pg)?;
    found.iter().map(rows::ledger_entry).collect()
}

pub fn by_manifest(
    tx: &mut Transaction<'_>,
    site_id: &str,
    manifest: &str,
) -> Result<Option<LedgerEntry>> {
    let sql = format!(
        "SELECT {LEDGER_COLUMNS} FROM ledger WHERE site_id = $1 AND manifest_sha256 = $2 \
         ORDER BY ledger_id DESC LIMIT 1"
    );
    let row = tx.query_opt(&sql, &[&site_id, &manifest]).map_err(pg)?;
    row.as_ref().map(rows::ledger_entry).transpose()
}

/// Digests taken from `site_id` for these merge hashes, keyed by hash.
pub fn taken_many(
    tx: &mut Transaction<'_>,
    site_id: &str,
    hashes: &[String],
) -> Result<HashMap<String, String>> {
    let rows = tx
        .query(
            "SELECT merge_hash, digest FROM taken WHERE site_id = $1 AND merge_hash = ANY($2)",
            &[&site_id, &hashes],
        )
        .map_err(pg)?;
    rows.iter().map(|r| Ok((col(r, 0)?, col(r, 1)?))).collect()
}

/// Upserts (merge_hash, digest) pairs, at most one per hash, in one statement.
pub fn set_taken_many(
    tx: &mut Transaction<'_>,
    site_id: &str,
    hashes: &[&str],
    digests: &[&str],
) -> Result<()> {
    let written = tx
        .execute(
            "INSERT INTO taken (site_id, merge_hash, digest) \
             SELECT s.site_id, u.m, u.d FROM sites s, unnest($2::text[], $3::text[]) AS u(m, d) \
             WHERE s.site_id = $1 \
             ON CONFLICT (site_id, merge_hash) DO UPDATE SET digest = excluded.digest",
            &[&site_id, &hashes, &digests],
        )
        .map_err(pg)?;
    if written == 0 && !hashes.is_empty() {
        return Err(StoreError::UnknownSite(site_id.to_owned()));
    }
    Ok(())
}
