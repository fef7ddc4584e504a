//! Bulk load into an empty store: straight COPY into the final tables with
//! their indexes and constraints set aside until the load ends.
//!
//! Invariants:
//! - Taken only when the store holds no canonical, tombstone or taken row,
//!   checked inside the writer's transaction (after the writer lock), so
//!   every merge hash loaded is new and no upsert or delete is needed.
//! - The indexes and constraints of the loaded tables are dropped inside
//!   the transaction and recreated from their own catalog definitions
//!   before anything reads those tables again or the transaction commits:
//!   the committed schema is exactly the one found. DDL is transactional, so
//!   a rollback restores them untouched. Recreating a unique constraint
//!   checks every loaded row, so its guarantee holds for the whole load.
//! - Dropping takes ACCESS EXCLUSIVE locks on the loaded tables: readers of
//!   the (empty) store wait until the import commits or rolls back.

use std::time::Duration;

use postgres::Transaction;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::error::SqlState;
use postgres::types::{ToSql, Type};

use super::codec::col;
use super::conn::pg;
use super::write;
use crate::model::CanonicalRecord;
use crate::store::{Result, StoreError};

/// The tables a bulk load writes at random key positions.
const TABLES: &str = "'canonicals', 'edges', 'taken'";

/// True when the store holds no canonical, tombstone or taken row.
pub fn is_empty(tx: &mut Transaction<'_>) -> Result<bool> {
    let row = tx
        .query_one(
            "SELECT NOT EXISTS (SELECT 1 FROM canonicals) \
             AND NOT EXISTS (SELECT 1 FROM tombstones) AND NOT EXISTS (SELECT 1 FROM taken)",
            &[],
        )
        .map_err(pg)?;
    col(&row, 0)
}

/// Drops the loaded tables' indexes and constraints; returns the statements
/// that recreate them, in the order to run them.
/// Readers holding the tables make it wait at most `wait`, then fail with
/// `TablesBusy` (never an import hanging behind a forgotten session).
pub fn set_aside(tx: &mut Transaction<'_>, wait: Duration) -> Result<Vec<String>> {
    // Constraints: primary and unique keys before foreign keys on restore,
    // foreign keys (also those pointing at these tables) dropped first.
    let constraints = tx
        .query(
            &format!(
                "SELECT format('%s', c.conrelid::regclass), quote_ident(c.conname), \
                 pg_get_constraintdef(c.oid), c.contype = 'f' \
                 FROM pg_constraint c \
                 WHERE c.contype IN ('p', 'u', 'f') AND ( \
                   c.conrelid IN (SELECT to_regclass(t) FROM unnest(ARRAY[{TABLES}]) t) \
                   OR c.confrelid IN (SELECT to_regclass(t) FROM unnest(ARRAY[{TABLES}]) t)) \
                 ORDER BY c.contype = 'f' DESC, c.oid"
            ),
            &[],
        )
        .map_err(pg)?;
    let indexes = tx
        .query(
            &format!(
                "SELECT format('%s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid) \
                 FROM pg_index i \
                 WHERE i.indrelid IN (SELECT to_regclass(t) FROM unnest(ARRAY[{TABLES}]) t) \
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) \
                 ORDER BY i.indexrelid"
            ),
            &[],
        )
        .map_err(pg)?;
    let mut drop = Vec::new();
    let (mut keys, mut foreign, mut plain) = (Vec::new(), Vec::new(), Vec::new());
    for row in &constraints {
        let (table, name, def, is_fk): (String, String, String, bool) =
            (col(row, 0)?, col(row, 1)?, col(row, 2)?, col(row, 3)?);
        drop.push(format!("ALTER TABLE {table} DROP CONSTRAINT {name}"));
        let add = format!("ALTER TABLE {table} ADD CONSTRAINT {name} {def}");
        if is_fk {
            foreign.push(add)
        } else {
            keys.push(add)
        }
    }
    for row in &indexes {
        let (name, def): (String, String) = (col(row, 0)?, col(row, 1)?);
        drop.push(format!("DROP INDEX {name}"));
        plain.push(def);
    }
    let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1);
    let drops = format!(
        "SET LOCAL lock_timeout = {wait_ms};\n{};\nSET LOCAL lock_timeout TO DEFAULT",
        drop.join(";\n")
    );
    tx.batch_execute(&drops).map_err(|e| match e.code() {
        Some(&SqlState::LOCK_NOT_AVAILABLE) => StoreError::TablesBusy { waited_ms: wait_ms },
        _ => pg(e),
    })?;
    keys.extend(plain);
    keys.extend(foreign);
    Ok(keys)
}

/// Recreates what [`set_aside`] dropped, with room to sort in memory.
pub fn restore(tx: &mut Transaction<'_>, statements: &[String]) -> Result<()> {
    if statements.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SET LOCAL maintenance_work_mem = '256MB';\n{};\nRESET maintenance_work_mem",
        statements.join(";\n")
    );
    tx.batch_execute(&sql).map_err(pg)
}

/// Writes new canonicals and their edges straight into the tables.
pub fn insert_many(
    tx: &mut Transaction<'_>,
    records: &[(&CanonicalRecord, i64)],
    via: Option<&str>,
) -> Result<()> {
    let sql = format!("COPY canonicals ({}) FROM STDIN BINARY", write::COLUMNS);
    let mut w = BinaryCopyInWriter::new(tx.copy_in(&sql).map_err(pg)?, &write::CANONICAL_TYPES);
    for (record, seq) in records {
        write::with_canonical_values(record, (*seq, via), |values| w.write(values).map_err(pg))?;
    }
    w.finish().map_err(pg)?;
    let sql = format!("COPY edges ({}) FROM STDIN BINARY", write::EDGE_COLUMNS);
    let mut w = BinaryCopyInWriter::new(tx.copy_in(&sql).map_err(pg)?, &write::EDGE_TYPES);
    for (record, _) in records {
        write::edge_rows(record, |values| w.write(values).map_err(pg))?;
    }
    w.finish().map_err(pg)?;
    Ok(())
}

/// Writes new merge bases straight into `taken`.
pub fn insert_taken(
    tx: &mut Transaction<'_>,
    site_id: &str,
    digests: &[(String, String)],
) -> Result<()> {
    let sink = tx
        .copy_in("COPY taken (site_id, merge_hash, digest) FROM STDIN BINARY")
        .map_err(pg)?;
    let mut w = BinaryCopyInWriter::new(sink, &[Type::TEXT, Type::TEXT, Type::TEXT]);
    for (merge_hash, digest) in digests {
        let values: [&(dyn ToSql + Sync); 3] = [&site_id, merge_hash, digest];
        w.write(&values).map_err(pg)?;
    }
    w.finish().map_err(pg)?;
    Ok(())
}
