//! Peer sites, their import policy and their trusted signing keys.
//!
//! Invariants:
//! - A site's sync totals only change in the transaction that writes its
//!   ledger row (see `ledger`).
//! - Keys are never deleted: revoking stamps `revoked_at` once, and a later
//!   revocation keeps the first time. Keys list in the order added.
//! - `allowed_sources` is JSON text, NULL meaning "every source".
//! - A removed site (`removed_at` set) is left out of `list` and `get`, so
//!   imports from it are refused as from an unknown site; its keys and
//!   ledger rows stay, and `add` of the same id clears the stamp (#27).
//! - Each change is one statement; duplicates are refused through
//!   `ON CONFLICT DO NOTHING` and row counts, an unknown site of `add_key`
//!   through its foreign key (which ends that call's own transaction).

use postgres::Transaction;
use postgres::error::SqlState;

use super::codec;
use super::conn::{is_code, pg};
use crate::store::rows::{self, KEY_COLUMNS, SITE_COLUMNS};
use crate::store::{NewKey, NewSite, PolicyChange, Result, Site, StoreError, TrustedKey};

pub fn list(tx: &mut Transaction<'_>) -> Result<Vec<Site>> {
    let sql = format!("SELECT {SITE_COLUMNS} FROM sites WHERE removed_at IS NULL ORDER BY site_id");
    tx.query(&sql, &[])
        .map_err(pg)?
        .iter()
        .map(rows::site)
        .collect()
}

pub fn get(tx: &mut Transaction<'_>, id: &str) -> Result<Option<Site>> {
    let sql = format!("SELECT {SITE_COLUMNS} FROM sites WHERE site_id = $1 AND removed_at IS NULL");
    let row = tx.query_opt(&sql, &[&id]).map_err(pg)?;
    row.as_ref().map(rows::site).transpose()
}

pub fn exists(tx: &mut Transaction<'_>, id: &str) -> Result<bool> {
    let row = tx
        .query_opt("SELECT 1 FROM sites WHERE site_id = $1", &[&id])
        .map_err(pg)?;
    Ok(row.is_some())
}

pub fn add(tx: &mut Transaction<'_>, site: &NewSite) -> Result<()> {
    let inserted = tx
        .execute(
            "INSERT INTO sites (site_id, display_name, enabled, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (site_id) DO UPDATE SET \
             display_name = excluded.display_name, enabled = excluded.enabled, \
             removed_at = NULL WHERE sites.removed_at IS NOT NULL",
            &[
                &site.site_id,
                &site.display_name,
                &site.enabled,
                &site.created_at,
            ],
        )
        .map_err(pg)?;
    if inserted == 0 {
        return Err(StoreError::SiteExists(site.site_id.clone()));
    }
    Ok(())
}

/// Stamps a live site removed; `UnknownSite` when there is none.
pub fn remove(tx: &mut Transaction<'_>, id: &str, at: &str) -> Result<()> {
    let updated = tx
        .execute(
            "UPDATE sites SET removed_at = $2 WHERE site_id = $1 AND removed_at IS NULL",
            &[&id, &at],
        )
        .map_err(pg)?;
    if updated == 0 {
        return Err(StoreError::UnknownSite(id.to_owned()));
    }
    Ok(())
}

/// When the site was removed; `None` for a live or unknown site.
pub fn removed_at(tx: &mut Transaction<'_>, id: &str) -> Result<Option<String>> {
    let row = tx
        .query_opt("SELECT removed_at FROM sites WHERE site_id = $1", &[&id])
        .map_err(pg)?;
    Ok(row.and_then(|r| r.get::<_, Option<String>>(0)))
}

/// Applies the set fields of `change` in one statement.
pub fn update_policy(tx: &mut Transaction<'_>, id: &str, change: &PolicyChange) -> Result<()> {
    let allowed = match &change.allowed_sources {
        Some(Some(list)) => Some(codec::to_json("sites.allowed_sources", id, list)?),
        _ => None,
    };
    let max = change.max_bundle_size.flatten().map(codec::int);
    let updated = tx
        .execute(
            "UPDATE sites SET enabled = coalesce($2, enabled), \
             max_bundle_size = CASE WHEN $3 THEN $4 ELSE max_bundle_size END, \
             allowed_sources = CASE WHEN $5 THEN $6 ELSE allowed_sources END, \
             on_conflict = CASE WHEN $7 THEN $8 ELSE on_conflict END \
             WHERE site_id = $1 AND removed_at IS NULL",
            &[
                &id,
                &change.enabled,
                &change.max_bundle_size.is_some(),
                &max,
                &change.allowed_sources.is_some(),
                &allowed,
                &change.on_conflict.is_some(),
                &change.on_conflict.clone().flatten(),
            ],
        )
        .map_err(pg)?;
    if updated == 0 {
        return Err(StoreError::UnknownSite(id.to_owned()));
    }
    Ok(())
}

/// Adds a key, or trusts a revoked one again.
pub fn add_key(tx: &mut Transaction<'_>, site_id: &str, key: &NewKey) -> Result<()> {
    let inserted = tx.execute(
        "INSERT INTO site_keys (site_id, key_id, public_pem, added_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (site_id, key_id) \
         DO UPDATE SET revoked_at = NULL, added_at = excluded.added_at \
         WHERE site_keys.revoked_at IS NOT NULL",
        &[&site_id, &key.key_id, &key.public_pem, &key.added_at],
    );
    match inserted {
        Ok(0) => Err(StoreError::KeyExists {
            site_id: site_id.to_owned(),
            key_id: key.key_id.clone(),
        }),
        Ok(_) => Ok(()),
        Err(e) if is_code(&e, &SqlState::FOREIGN_KEY_VIOLATION) => {
            Err(StoreError::UnknownSite(site_id.to_owned()))
        }
        Err(e) => Err(pg(e)),
    }
}

pub fn revoke_key(tx: &mut Transaction<'_>, site_id: &str, key_id: &str, at: &str) -> Result<()> {
    let updated = tx
        .execute(
            "UPDATE site_keys SET revoked_at = coalesce(revoked_at, $3) \
             WHERE site_id = $1 AND key_id = $2",
            &[&site_id, &key_id, &at],
        )
        .map_err(pg)?;
    if updated == 0 {
        return Err(StoreError::UnknownKey {
            site_id: site_id.to_owned(),
            key_id: key_id.to_owned(),
        });
    }
    Ok(())
}

/// Every key of the site in the order added; `UnknownSite` for no such site.
pub fn keys(tx: &mut Transaction<'_>, site_id: &str) -> Result<Vec<TrustedKey>> {
    if !exists(tx, site_id)? {
        return Err(StoreError::UnknownSite(site_id.to_owned()));
    }
    let sql = format!("SELECT {KEY_COLUMNS} FROM site_keys WHERE site_id = $1 ORDER BY key_seq");
    let found = tx.query(&sql, &[&site_id]).map_err(pg)?;
    found.iter().map(rows::trusted_key).collect()
}
