//! The event log: one `canonical-imported` row per change an import made.
//!
//! Invariant: `event_id` comes from AUTOINCREMENT, so ids are never reused,
//! even after the newest rows are rolled back or removed; a consumer that
//! remembers the last id it saw never misses or repeats an event.

use rusqlite::{Connection, Row, params};

use super::codec;
use crate::store::{CANONICAL_IMPORTED, Event, NewEvent, Result};

fn event_from_row(row: &Row<'_>) -> Result<Event> {
    let event_id: i64 = row.get(0)?;
    let key = event_id.to_string();
    let key = key.as_str();
    let event = NewEvent {
        canonical_id: codec::uuid("events.canonical_id", key, &row.get::<_, String>(1)?)?,
        merge_hash: row.get(2)?,
        cve: row.get(3)?,
        affects_key: row.get(4)?,
        action: codec::action("events.action", key, &row.get::<_, String>(5)?)?,
        site_id: row.get(6)?,
        bundle_hash: row.get(7)?,
        cursor: codec::cursor("events.cursor", key, &row.get::<_, String>(8)?)?,
        imported_at: row.get(9)?,
    };
    Ok(Event {
        event_id: codec::count("events.event_id", key, event_id)?,
        event_type: CANONICAL_IMPORTED,
        event,
    })
}

pub fn append(conn: &Connection, e: &NewEvent) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO events (canonical_id, merge_hash, cve, affects_key, action, \
         site_id, bundle_hash, cursor, imported_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    stmt.execute(params![
        e.canonical_id.to_string(),
        e.merge_hash,
        e.cve,
        e.affects_key,
        e.action.as_str(),
        e.site_id,
        e.bundle_hash,
        e.cursor.to_string(),
        e.imported_at,
    ])?;
    Ok(())
}

/// Events with id greater than `since`, oldest first.
pub fn since(conn: &Connection, since: u64, limit: usize) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(
        "SELECT event_id, canonical_id, merge_hash, cve, affects_key, action, site_id, \
         bundle_hash, cursor, imported_at FROM events WHERE event_id > ?1 \
         ORDER BY event_id LIMIT ?2",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut rows = stmt.query(params![codec::int(since), limit])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(event_from_row(row)?);
    }
    Ok(out)
}

pub fn append_conflicts(
    conn: &Connection,
    bundle_hash: &str,
    rows: &[crate::store::ConflictRow],
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO conflicts (bundle_hash, site_id, merge_hash, field, local_value, \
         remote_value, resolution, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for c in rows {
        stmt.execute(params![
            bundle_hash,
            c.site_id,
            c.merge_hash,
            c.field,
            c.local_value,
            c.remote_value,
            c.resolution,
            c.recorded_at
        ])?;
    }
    Ok(())
}
