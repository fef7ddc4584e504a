//! The change feed and tombstones.
//!
//! Invariants:
//! - Feed rows are only appended, by the holder of the writer lock: `seq` is
//!   the previous `seq + 1` (1 for the first), `millis` is
//!   `max(clock, previous millis)`, so cursors strictly increase in both
//!   orders, in commit order, even when the wall clock steps back.
//! - A live canonical's or tombstone's `change_seq` names the feed row of
//!   its last change; a merge hash is never live and tombstoned at once.

use std::collections::HashMap;

use postgres::Transaction;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::Type;

use super::codec::{col, feed_cursor};
use super::conn::pg;
use crate::cursor::Cursor;
use crate::model::Deletion;
use crate::store::Result;

pub use crate::store::codec::FeedKind as Kind;

/// The feed position after the last one: the writer's running state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Head {
    seq: i64,
    millis: i64,
}

impl Head {
    /// The next cursor at clock time `now`, which this head then points at.
    pub fn advance(&mut self, now: i64) -> Result<Cursor> {
        let millis = if self.seq == 0 {
            now
        } else {
            now.max(self.millis)
        };
        self.seq = self.seq.saturating_add(1);
        self.millis = millis;
        feed_cursor(self.seq, millis)
    }
}

/// The newest feed row; read by the writer once it holds the lock.
pub fn head(tx: &mut Transaction<'_>) -> Result<Head> {
    let row = tx
        .query_opt(
            "SELECT seq, millis FROM feed ORDER BY seq DESC LIMIT 1",
            &[],
        )
        .map_err(pg)?;
    match row {
        Some(row) => Ok(Head {
            seq: col(&row, 0)?,
            millis: col(&row, 1)?,
        }),
        None => Ok(Head::default()),
    }
}

pub fn local_cursor(tx: &mut Transaction<'_>) -> Result<Option<Cursor>> {
    let head = head(tx)?;
    if head.seq == 0 {
        return Ok(None);
    }
    feed_cursor(head.seq, head.millis).map(Some)
}

/// The feed's time never goes back as its sequence grows, so the rows
/// after the point are the ones this scans from the end.
pub fn cursor_floor(tx: &mut Transaction<'_>, point: Cursor) -> Result<Option<Cursor>> {
    let seq = i64::try_from(point.seq()).unwrap_or(i64::MAX);
    let row = tx
        .query_opt(
            "SELECT seq, millis FROM feed WHERE millis < $1 OR (millis = $1 AND seq <= $2) \
             ORDER BY seq DESC LIMIT 1",
            &[&point.millis(), &seq],
        )
        .map_err(pg)?;
    row.map(|r| feed_cursor(col(&r, 0)?, col(&r, 1)?))
        .transpose()
}

pub fn cursor_at(tx: &mut Transaction<'_>, seq: u64) -> Result<Option<Cursor>> {
    let Ok(seq) = i64::try_from(seq) else {
        return Ok(None);
    };
    let row = tx
        .query_opt("SELECT seq, millis FROM feed WHERE seq = $1", &[&seq])
        .map_err(pg)?;
    row.map(|r| feed_cursor(col(&r, 0)?, col(&r, 1)?))
        .transpose()
}

/// Appends feed rows with one binary COPY.
pub fn append(tx: &mut Transaction<'_>, rows: &[(Cursor, &str, Kind)]) -> Result<()> {
    let sink = tx
        .copy_in("COPY feed (seq, millis, merge_hash, kind) FROM STDIN BINARY")
        .map_err(pg)?;
    let mut w = BinaryCopyInWriter::new(sink, &[Type::INT8, Type::INT8, Type::TEXT, Type::TEXT]);
    for (cursor, merge_hash, kind) in rows {
        let seq = super::codec::int(cursor.seq());
        w.write(&[&seq, &cursor.millis(), merge_hash, &kind.as_str()])
            .map_err(pg)?;
    }
    w.finish().map_err(pg)?;
    Ok(())
}

/// The stored tombstones among `hashes`, keyed by merge hash.
pub fn tombstones(
    tx: &mut Transaction<'_>,
    hashes: &[String],
) -> Result<HashMap<String, Deletion>> {
    let rows = tx
        .query(
            "SELECT merge_hash, canonical_id, deleted_at, reason, history FROM tombstones \
             WHERE merge_hash = ANY($1)",
            &[&hashes],
        )
        .map_err(pg)?;
    rows.iter()
        .map(|r| {
            let merge_hash: String = col(r, 0)?;
            let history = super::codec::opt_json("tombstones.history", &merge_hash, col(r, 4)?)?;
            let d = Deletion {
                canonical_id: col(r, 1)?,
                deleted_at: col(r, 2)?,
                reason: col(r, 3)?,
                history,
                merge_hash,
            };
            Ok((d.merge_hash.clone(), d))
        })
        .collect()
}

pub fn tombstone(tx: &mut Transaction<'_>, merge_hash: &str) -> Result<Option<Deletion>> {
    Ok(tombstones(tx, &[merge_hash.to_owned()])?.remove(merge_hash))
}

pub fn put_tombstone(
    tx: &mut Transaction<'_>,
    d: &Deletion,
    change_seq: u64,
    via: Option<&str>,
) -> Result<()> {
    let history =
        super::codec::opt_to_json("tombstones.history", &d.merge_hash, d.history.as_ref())?;
    tx.execute(
        "INSERT INTO tombstones (merge_hash, canonical_id, deleted_at, reason, change_seq, \
         history, via) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (merge_hash) DO UPDATE SET \
         canonical_id = excluded.canonical_id, deleted_at = excluded.deleted_at, \
         reason = excluded.reason, change_seq = excluded.change_seq, \
         history = excluded.history, via = excluded.via",
        &[
            &d.merge_hash,
            &d.canonical_id,
            &d.deleted_at,
            &d.reason,
            &super::codec::int(change_seq),
            &history,
            &via,
        ],
    )
    .map_err(pg)?;
    Ok(())
}

pub fn clear_tombstone(tx: &mut Transaction<'_>, merge_hash: &str) -> Result<()> {
    tx.execute(
        "DELETE FROM tombstones WHERE merge_hash = $1",
        &[&merge_hash],
    )
    .map_err(pg)?;
    Ok(())
}
