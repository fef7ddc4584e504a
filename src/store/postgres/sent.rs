//! What `export --for` sent each peer (table `sent`, keyed by site id).
//!
//! Invariant: a recorded position only moves forward; a field the caller
//! leaves `None` keeps its stored value (`store::merge_sent`).

use postgres::Transaction;

use super::codec::{self, col};
use super::conn::pg;
use crate::store::{Result, Sent};

pub fn list(tx: &mut Transaction<'_>) -> Result<Vec<Sent>> {
    let rows = tx
        .query(
            "SELECT site_id, sent_cursor, sent_at, acked_cursor, acked_at FROM sent \
             ORDER BY site_id",
            &[],
        )
        .map_err(pg)?;
    rows.iter()
        .map(|row| {
            let site_id: String = col(row, 0)?;
            let key = site_id.as_str();
            Ok(Sent {
                sent_cursor: codec::opt_cursor("sent.sent_cursor", key, col(row, 1)?)?,
                sent_at: col(row, 2)?,
                acked_cursor: codec::opt_cursor("sent.acked_cursor", key, col(row, 3)?)?,
                acked_at: col(row, 4)?,
                site_id,
            })
        })
        .collect()
}

pub fn record(tx: &mut Transaction<'_>, sent: &Sent) -> Result<()> {
    let old = list(tx)?.into_iter().find(|s| s.site_id == sent.site_id);
    let merged = crate::store::merge_sent(&old.unwrap_or_default(), sent);
    let text = |c: Option<crate::cursor::Cursor>| c.map(|c| c.to_string());
    tx.execute(
        "INSERT INTO sent (site_id, sent_cursor, sent_at, acked_cursor, acked_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (site_id) DO UPDATE SET \
         sent_cursor = excluded.sent_cursor, sent_at = excluded.sent_at, \
         acked_cursor = excluded.acked_cursor, acked_at = excluded.acked_at",
        &[
            &sent.site_id,
            &text(merged.sent_cursor),
            &merged.sent_at,
            &text(merged.acked_cursor),
            &merged.acked_at,
        ],
    )
    .map_err(pg)?;
    Ok(())
}
