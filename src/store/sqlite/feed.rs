//! The change feed and tombstones.
//!
//! Invariants:
//! - Feed rows are only appended: `seq` is the previous `seq + 1` (1 for the
//!   first), `millis` is `max(clock, previous millis)`, so cursors strictly
//!   increase in both orders even when the wall clock steps back.
//! - A live canonical's or tombstone's `change_seq` names the feed row of
//!   its last change; a merge hash is never live and tombstoned at once.

use rusqlite::{Connection, OptionalExtension, params};

use super::codec;
use crate::cursor::Cursor;
use crate::model::Deletion;
use crate::store::Result;

pub use crate::store::codec::FeedKind as Kind;

fn cursor_of(seq: i64, millis: i64) -> Result<Cursor> {
    Ok(Cursor::new(
        millis,
        codec::count("feed.seq", &seq.to_string(), seq)?,
    ))
}

/// The newest feed row as (seq, millis).
fn last(conn: &Connection) -> Result<Option<(i64, i64)>> {
    let mut stmt = conn.prepare_cached("SELECT seq, millis FROM feed ORDER BY seq DESC LIMIT 1")?;
    Ok(stmt
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?)
}

pub fn local_cursor(conn: &Connection) -> Result<Option<Cursor>> {
    last(conn)?
        .map(|(seq, millis)| cursor_of(seq, millis))
        .transpose()
}

/// The feed's time never goes back as its sequence grows, so the rows
/// after the point are the ones this scans from the end.
pub fn cursor_floor(conn: &Connection, point: Cursor) -> Result<Option<Cursor>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, millis FROM feed WHERE millis < ?1 OR (millis = ?1 AND seq <= ?2) \
         ORDER BY seq DESC LIMIT 1",
    )?;
    let seq = i64::try_from(point.seq()).unwrap_or(i64::MAX);
    let found: Option<(i64, i64)> = stmt
        .query_row(params![point.millis(), seq], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    found
        .map(|(seq, millis)| cursor_of(seq, millis))
        .transpose()
}

pub fn cursor_at(conn: &Connection, seq: u64) -> Result<Option<Cursor>> {
    let mut stmt = conn.prepare_cached("SELECT seq, millis FROM feed WHERE seq = ?1")?;
    let found: Option<(i64, i64)> = stmt
        .query_row([codec::int(seq)], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    found
        .map(|(seq, millis)| cursor_of(seq, millis))
        .transpose()
}

/// The feed's newest row, (seq, millis), as a write transaction knows it:
/// read from the table on its first [`append`], then carried forward by
/// each append. Sound because the transaction holds the write lock and
/// [`append`] writes every feed row; a transaction that begins again
/// starts a new one.
#[derive(Default)]
pub struct Tail(Option<Option<(i64, i64)>>);

/// Appends one feed row after `tail` and returns its cursor.
pub fn append(
    conn: &Connection,
    tail: &mut Tail,
    now: i64,
    merge_hash: &str,
    kind: Kind,
) -> Result<Cursor> {
    let newest = match tail.0 {
        Some(newest) => newest,
        None => last(conn)?,
    };
    let (seq, millis) = match newest {
        Some((seq, millis)) => (seq.saturating_add(1), now.max(millis)),
        None => (1, now),
    };
    let mut stmt = conn.prepare_cached(
        "INSERT INTO feed (seq, millis, merge_hash, kind) VALUES (?1, ?2, ?3, ?4)",
    )?;
    stmt.execute(params![seq, millis, merge_hash, kind.as_str()])?;
    tail.0 = Some(Some((seq, millis)));
    cursor_of(seq, millis)
}

pub fn tombstone(conn: &Connection, merge_hash: &str) -> Result<Option<Deletion>> {
    let mut stmt = conn.prepare_cached(
        "SELECT canonical_id, deleted_at, reason, history FROM tombstones WHERE merge_hash = ?1",
    )?;
    let row: Option<(String, String, String, Option<String>)> = stmt
        .query_row([merge_hash], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .optional()?;
    row.map(|(id, deleted_at, reason, history)| {
        Ok(Deletion {
            canonical_id: codec::uuid("tombstones.canonical_id", merge_hash, &id)?,
            merge_hash: merge_hash.to_owned(),
            deleted_at,
            reason,
            history: codec::opt_json("tombstones.history", merge_hash, history)?,
        })
    })
    .transpose()
}

/// Stores the tombstone at `change_seq`; `via` is the peer it came from
/// unchanged, if any.
pub fn put_tombstone(
    conn: &Connection,
    deletion: &Deletion,
    change_seq: u64,
    via: Option<&str>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO tombstones (merge_hash, canonical_id, deleted_at, reason, change_seq, \
         history, via) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (merge_hash) DO UPDATE SET \
         canonical_id = excluded.canonical_id, deleted_at = excluded.deleted_at, \
         reason = excluded.reason, change_seq = excluded.change_seq, \
         history = excluded.history, via = excluded.via",
    )?;
    let key = deletion.merge_hash.as_str();
    stmt.execute(params![
        deletion.merge_hash,
        deletion.canonical_id.to_string(),
        deletion.deleted_at,
        deletion.reason,
        codec::int(change_seq),
        codec::opt_to_json("tombstones.history", key, deletion.history.as_ref())?,
        via,
    ])?;
    Ok(())
}

pub fn clear_tombstone(conn: &Connection, merge_hash: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM tombstones WHERE merge_hash = ?1")?
        .execute([merge_hash])?;
    Ok(())
}
