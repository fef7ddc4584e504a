//! Peer sites, their import policy and their trusted signing keys.
//!
//! Invariants:
//! - A site's sync totals (`last_cursor`, `last_sync_at`, bundle and item
//!   counts) only change in the transaction that writes its ledger row.
//! - Keys are never deleted: revoking stamps `revoked_at` once, and a later
//!   revocation keeps the first time.
//! - `allowed_sources` is JSON text, NULL meaning "every source".
//! - A removed site (`removed_at` set) is left out of `list` and `get`, so
//!   imports from it are refused as from an unknown site; its keys and
//!   ledger rows stay, and `add` of the same id clears the stamp (#27).

use rusqlite::{Connection, OptionalExtension, params};

use super::codec;
use crate::store::rows::{self, KEY_COLUMNS, SITE_COLUMNS};
use crate::store::{NewKey, NewSite, PolicyChange, Result, Site, StoreError, TrustedKey};

pub fn list(conn: &Connection) -> Result<Vec<Site>> {
    let sql = format!("SELECT {SITE_COLUMNS} FROM sites WHERE removed_at IS NULL ORDER BY site_id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut found = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = found.next()? {
        out.push(rows::site(row)?);
    }
    Ok(out)
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<Site>> {
    let sql = format!("SELECT {SITE_COLUMNS} FROM sites WHERE site_id = ?1 AND removed_at IS NULL");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut found = stmt.query([id])?;
    found.next()?.map(rows::site).transpose()
}

pub fn exists(conn: &Connection, id: &str) -> Result<bool> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM sites WHERE site_id = ?1")?;
    Ok(stmt.query_row([id], |_| Ok(())).optional()?.is_some())
}

pub fn add(conn: &Connection, site: &NewSite) -> Result<()> {
    let inserted = conn.execute(
        "INSERT INTO sites (site_id, display_name, enabled, created_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (site_id) DO UPDATE SET display_name = excluded.display_name, \
         enabled = excluded.enabled, removed_at = NULL WHERE sites.removed_at IS NOT NULL",
        params![
            site.site_id,
            site.display_name,
            site.enabled,
            site.created_at
        ],
    )?;
    if inserted == 0 {
        return Err(StoreError::SiteExists(site.site_id.clone()));
    }
    Ok(())
}

/// Stamps a live site removed; `UnknownSite` when there is none.
pub fn remove(conn: &Connection, id: &str, at: &str) -> Result<()> {
    let updated = conn.execute(
        "UPDATE sites SET removed_at = ?2 WHERE site_id = ?1 AND removed_at IS NULL",
        params![id, at],
    )?;
    if updated == 0 {
        return Err(StoreError::UnknownSite(id.to_owned()));
    }
    Ok(())
}

/// When the site was removed; `None` for a live or unknown site.
pub fn removed_at(conn: &Connection, id: &str) -> Result<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT removed_at FROM sites WHERE site_id = ?1")?;
    let found: Option<Option<String>> = stmt.query_row([id], |r| r.get(0)).optional()?;
    Ok(found.flatten())
}

/// Applies the set fields of `change` in one statement.
pub fn update_policy(conn: &Connection, id: &str, change: &PolicyChange) -> Result<()> {
    let allowed = match &change.allowed_sources {
        Some(Some(list)) => Some(codec::to_json("sites.allowed_sources", id, list)?),
        _ => None,
    };
    let max = change.max_bundle_size.flatten().map(codec::int);
    let updated = conn.execute(
        "UPDATE sites SET enabled = coalesce(?2, enabled), \
         max_bundle_size = CASE WHEN ?3 THEN ?4 ELSE max_bundle_size END, \
         allowed_sources = CASE WHEN ?5 THEN ?6 ELSE allowed_sources END, \
         on_conflict = CASE WHEN ?7 THEN ?8 ELSE on_conflict END \
         WHERE site_id = ?1 AND removed_at IS NULL",
        params![
            id,
            change.enabled,
            change.max_bundle_size.is_some(),
            max,
            change.allowed_sources.is_some(),
            allowed,
            change.on_conflict.is_some(),
            change.on_conflict.clone().flatten(),
        ],
    )?;
    if updated == 0 {
        return Err(StoreError::UnknownSite(id.to_owned()));
    }
    Ok(())
}

/// Adds a key, or trusts a revoked one again; the caller runs this in a
/// transaction so the site check holds.
pub fn add_key(conn: &Connection, site_id: &str, key: &NewKey) -> Result<()> {
    if !exists(conn, site_id)? {
        return Err(StoreError::UnknownSite(site_id.to_owned()));
    }
    let inserted = conn.execute(
        "INSERT INTO site_keys (site_id, key_id, public_pem, added_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (site_id, key_id) DO UPDATE SET revoked_at = NULL, added_at = excluded.added_at \
         WHERE site_keys.revoked_at IS NOT NULL",
        params![site_id, key.key_id, key.public_pem, key.added_at],
    )?;
    if inserted == 0 {
        return Err(StoreError::KeyExists {
            site_id: site_id.to_owned(),
            key_id: key.key_id.clone(),
        });
    }
    Ok(())
}

pub fn revoke_key(conn: &Connection, site_id: &str, key_id: &str, at: &str) -> Result<()> {
    let updated = conn.execute(
        "UPDATE site_keys SET revoked_at = coalesce(revoked_at, ?3) \
         WHERE site_id = ?1 AND key_id = ?2",
        params![site_id, key_id, at],
    )?;
    if updated == 0 {
        return Err(StoreError::UnknownKey {
            site_id: site_id.to_owned(),
            key_id: key_id.to_owned(),
        });
    }
    Ok(())
}

/// Every key of the site in the order added; `UnknownSite` for no such site.
pub fn keys(conn: &Connection, site_id: &str) -> Result<Vec<TrustedKey>> {
    if !exists(conn, site_id)? {
        return Err(StoreError::UnknownSite(site_id.to_owned()));
    }
    let sql = format!("SELECT {KEY_COLUMNS} FROM site_keys WHERE site_id = ?1 ORDER BY rowid");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut found = stmt.query([site_id])?;
    let mut out = Vec::new();
    while let Some(row) = found.next()? {
        out.push(rows::trusted_key(row)?);
    }
    Ok(out)
}
