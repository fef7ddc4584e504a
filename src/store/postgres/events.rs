//! The event outbox (one `canonical-imported` row per change an import
//! made) and the conflicts an import met.
//!
//! Invariant: `event_id` is an identity column and events are only appended
//! by the holder of the writer lock, so ids are assigned in commit order and
//! never reused (a rollback leaves a gap); a consumer that remembers the last
//! id it saw never misses or repeats an event.

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::Type;
use postgres::{Row, Transaction};

use super::codec::{self, col};
use super::conn::pg;
use crate::store::{CANONICAL_IMPORTED, ConflictRow, Event, NewEvent, Result};

const T: Type = Type::TEXT;

fn event_from_row(row: &Row) -> Result<Event> {
    let event_id: i64 = col(row, 0)?;
    let key = event_id.to_string();
    let key = key.as_str();
    let event = NewEvent {
        canonical_id: col(row, 1)?,
        merge_hash: col(row, 2)?,
        cve: col(row, 3)?,
        affects_key: col(row, 4)?,
        action: codec::action("events.action", key, &col::<String>(row, 5)?)?,
        site_id: col(row, 6)?,
        bundle_hash: col(row, 7)?,
        cursor: codec::cursor("events.cursor", key, &col::<String>(row, 8)?)?,
        imported_at: col(row, 9)?,
    };
    Ok(Event {
        event_id: codec::count("events.event_id", key, event_id)?,
        event_type: CANONICAL_IMPORTED,
        event,
    })
}

/// Appends events in order with one binary COPY.
pub fn append(tx: &mut Transaction<'_>, events: &[NewEvent]) -> Result<()> {
    let sql = "COPY events (canonical_id, merge_hash, cve, affects_key, action, \
               site_id, bundle_hash, cursor, imported_at) FROM STDIN BINARY";
    let types = [Type::UUID, T, T, T, T, T, T, T, T];
    let mut w = BinaryCopyInWriter::new(tx.copy_in(sql).map_err(pg)?, &types);
    for e in events {
        let cursor = e.cursor.to_string();
        w.write(&[
            &e.canonical_id,
            &e.merge_hash,
            &e.cve,
            &e.affects_key,
            &e.action.as_str(),
            &e.site_id,
            &e.bundle_hash,
            &cursor,
            &e.imported_at,
        ])
        .map_err(pg)?;
    }
    w.finish().map_err(pg)?;
    Ok(())
}

/// Events with id greater than `since`, oldest first.
pub fn since(tx: &mut Transaction<'_>, since: u64, limit: usize) -> Result<Vec<Event>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = tx
        .query(
            "SELECT event_id, canonical_id, merge_hash, cve, affects_key, action, \
             site_id, bundle_hash, cursor, imported_at FROM events \
             WHERE event_id > $1 ORDER BY event_id LIMIT $2",
            &[&codec::int(since), &limit],
        )
        .map_err(pg)?;
    rows.iter().map(event_from_row).collect()
}

/// Keeps an import's conflicts with one binary COPY.
pub fn append_conflicts(
    tx: &mut Transaction<'_>,
    bundle_hash: &str,
    rows: &[ConflictRow],
) -> Result<()> {
    let sql = "COPY conflicts (bundle_hash, site_id, merge_hash, field, local_value, \
               remote_value, resolution, recorded_at) FROM STDIN BINARY";
    let mut w = BinaryCopyInWriter::new(tx.copy_in(sql).map_err(pg)?, &[T, T, T, T, T, T, T, T]);
    for c in rows {
        w.write(&[
            &bundle_hash,
            &c.site_id,
            &c.merge_hash,
            &c.field,
            &c.local_value,
            &c.remote_value,
            &c.resolution,
            &c.recorded_at,
        ])
        .map_err(pg)?;
    }
    w.finish().map_err(pg)?;
    Ok(())
}
