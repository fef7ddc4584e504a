//! The sync ledger (one row per committed import) and the per-site record
//! of what was last taken from each peer.
//!
//! Invariants:
//! - `record` writes the ledger row and advances the site's totals in the
//!   caller's transaction: both land or neither does.
//! - A bundle is recorded at most once (`bundle_hash` is unique).
//! - Ledger order is insertion order (`ledger_id`), so "newest" is the
//!   last import committed, whatever the clock said.

use rusqlite::{Connection, OptionalExtension, params};

use super::codec;
use crate::store::rows::{self, LEDGER_COLUMNS};
use crate::store::{LedgerEntry, Result, StoreError};

/// Appends the ledger row and advances the site's cursor and totals.
pub fn record(conn: &Connection, e: &LedgerEntry) -> Result<()> {
    let updated = conn
        .prepare_cached(
            "UPDATE sites SET last_cursor = CASE WHEN ?5 THEN ?2 ELSE last_cursor END, \
             last_sync_at = ?3, \
             bundles_imported = bundles_imported + 1, items_imported = items_imported + ?4 \
             WHERE site_id = ?1",
        )?
        .execute(params![
            e.site_id,
            e.export_cursor.to_string(),
            e.imported_at,
            codec::int(e.items),
            e.advances,
        ])?;
    if updated == 0 {
        return Err(StoreError::UnknownSite(e.site_id.clone()));
    }
    let c = &e.counts;
    let sql = format!(
        "INSERT INTO ledger ({LEDGER_COLUMNS}) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, \
         ?19, ?20, ?21, ?22)"
    );
    conn.prepare_cached(&sql)?.execute(params![
        e.site_id,
        e.bundle_hash,
        e.manifest_sha256,
        e.since_cursor.map(|c| c.to_string()),
        e.export_cursor.to_string(),
        e.imported_at,
        e.signer_key_id,
        e.signature_skipped,
        e.forced,
        codec::int(c.canonical_created),
        codec::int(c.canonical_updated),
        codec::int(c.canonical_skipped),
        codec::int(c.edges_added),
        codec::int(c.deletions_processed),
        codec::int(c.canonical_filtered),
        codec::int(c.edges_filtered),
        codec::int(c.conflicts),
        codec::int(e.items),
        e.reason,
        codec::int(c.stale),
        codec::int(c.echo),
        codec::int(c.deletions_refused),
    ])?;
    Ok(())
}

fn entries(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<LedgerEntry>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut found = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = found.next()? {
        out.push(rows::ledger_entry(row)?);
    }
    Ok(out)
}

/// The site's imports, newest first.
pub fn history(conn: &Connection, site_id: &str, limit: usize) -> Result<Vec<LedgerEntry>> {
    let sql = format!(
        "SELECT {LEDGER_COLUMNS} FROM ledger WHERE site_id = ?1 ORDER BY ledger_id DESC LIMIT ?2"
    );
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    entries(conn, &sql, params![site_id, limit])
}

pub fn by_manifest(
    conn: &Connection,
    site_id: &str,
    manifest: &str,
) -> Result<Option<LedgerEntry>> {
    let sql = format!(
        "SELECT {LEDGER_COLUMNS} FROM ledger WHERE site_id = ?1 AND manifest_sha256 = ?2 \
         ORDER BY ledger_id DESC LIMIT 1"
    );
    Ok(entries(conn, &sql, params![site_id, manifest])?.pop())
}

pub fn taken(conn: &Connection, site_id: &str, merge_hash: &str) -> Result<Option<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT digest FROM taken WHERE site_id = ?1 AND merge_hash = ?2")?;
    Ok(stmt
        .query_row([site_id, merge_hash], |row| row.get(0))
        .optional()?)
}

pub fn set_taken(conn: &Connection, site_id: &str, merge_hash: &str, digest: &str) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO taken (site_id, merge_hash, digest) VALUES (?1, ?2, ?3) \
         ON CONFLICT (site_id, merge_hash) DO UPDATE SET digest = excluded.digest",
    )?;
    match stmt.execute([site_id, merge_hash, digest]) {
        Ok(_) => Ok(()),
        Err(e) if is_foreign_key_violation(&e) => Err(StoreError::UnknownSite(site_id.to_owned())),
        Err(e) => Err(e.into()),
    }
}

/// [`set_taken`] in a bulk load, where the merge hash is new: a plain
/// insert. The key is set aside and foreign keys are not enforced (`bulk`):
/// the transaction checks the site, and a merge hash taken twice is caught
/// when the key is rebuilt.
pub fn insert_taken(
    conn: &Connection,
    site_id: &str,
    merge_hash: &str,
    digest: &str,
) -> Result<()> {
    conn.prepare_cached("INSERT INTO taken (site_id, merge_hash, digest) VALUES (?1, ?2, ?3)")?
        .execute([site_id, merge_hash, digest])?;
    Ok(())
}

fn is_foreign_key_violation(e: &rusqlite::Error) -> bool {
    e.sqlite_error()
        .is_some_and(|f| f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY)
}
