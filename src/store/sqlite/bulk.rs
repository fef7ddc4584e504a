//! Bulk load into an empty store: the secondary indexes of the loaded
//! tables are set aside while rows go in, and built once at the end.
//!
//! Invariants:
//! - Taken only when the store holds no canonical, tombstone or taken row,
//!   checked inside the writer's `BEGIN IMMEDIATE` transaction, so every
//!   merge hash loaded is new.
//! - Only indexes declared with `CREATE INDEX` are dropped (primary keys and
//!   unique constraints stay and keep checking every row); each is recreated
//!   from its own stored definition before anything reads the tables again
//!   or the transaction commits, so the committed schema is the one found.
//!   A rollback (or a crash: the journal) restores them untouched.

use rusqlite::Connection;

use crate::store::Result;

/// True when the store holds no canonical, tombstone or taken row.
pub fn is_empty(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT NOT EXISTS (SELECT 1 FROM canonicals) \
         AND NOT EXISTS (SELECT 1 FROM tombstones) AND NOT EXISTS (SELECT 1 FROM taken)",
        [],
        |row| row.get(0),
    )?)
}

/// Drops the loaded tables' declared indexes; returns their definitions.
pub fn set_aside(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL \
         AND tbl_name IN ('canonicals', 'edges', 'taken') ORDER BY name",
    )?;
    let found = stmt
        .query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (name, _) in &found {
        let quoted = name.replace('"', "\"\"");
        conn.execute_batch(&format!("DROP INDEX \"{quoted}\""))?;
    }
    Ok(found.into_iter().map(|(_, sql)| sql).collect())
}

/// Recreates what [`set_aside`] dropped.
pub fn restore(conn: &Connection, definitions: &[String]) -> Result<()> {
    for sql in definitions {
        conn.execute_batch(sql)?;
    }
    Ok(())
}
