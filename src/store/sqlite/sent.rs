//! What `export --for` sent each peer (table `sent`, keyed by site id).
//!
//! Invariant: a recorded position only moves forward; a field the caller
//! leaves `None` keeps its stored value.

use rusqlite::{Connection, params};

use super::codec;
use crate::store::{Result, Sent};

const SELECT: &str = "SELECT site_id, sent_cursor, sent_at, acked_cursor, acked_at FROM sent \
     ORDER BY site_id";

pub fn list(conn: &Connection) -> Result<Vec<Sent>> {
    let mut stmt = conn.prepare_cached(SELECT)?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let site_id: String = row.get(0)?;
        let key = site_id.as_str();
        out.push(Sent {
            sent_cursor: codec::opt_cursor("sent.sent_cursor", key, row.get(1)?)?,
            sent_at: row.get(2)?,
            acked_cursor: codec::opt_cursor("sent.acked_cursor", key, row.get(3)?)?,
            acked_at: row.get(4)?,
            site_id,
        });
    }
    Ok(out)
}

pub fn record(conn: &Connection, sent: &Sent) -> Result<()> {
    let old = list(conn)?.into_iter().find(|s| s.site_id == sent.site_id);
    let old = old.unwrap_or_default();
    let merged = crate::store::merge_sent(&old, sent);
    conn.prepare_cached(
        "INSERT INTO sent (site_id, sent_cursor, sent_at, acked_cursor, acked_at) \
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (site_id) DO UPDATE SET \
         sent_cursor = excluded.sent_cursor, sent_at = excluded.sent_at, \
         acked_cursor = excluded.acked_cursor, acked_at = excluded.acked_at",
    )?
    .execute(params![
        sent.site_id,
        merged.sent_cursor.map(|c| c.to_string()),
        merged.sent_at,
        merged.acked_cursor.map(|c| c.to_string()),
        merged.acked_at,
    ])?;
    Ok(())
}
