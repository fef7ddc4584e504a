//! Bulk load into an empty store: the indexes of the loaded tables, keys
//! included, are set aside while rows go in, and built once at the end,
//! from sorted keys, instead of being updated at random for every row.
//!
//! Invariants:
//! - Taken only when the store holds no canonical, tombstone or taken row,
//!   checked inside the writer's `BEGIN IMMEDIATE` transaction, so every
//!   merge hash loaded is new; the transaction runs with foreign-key
//!   enforcement off (`txn`), as the keys the foreign keys name are gone.
//! - Every key is a named `CREATE UNIQUE INDEX` (migration 5); each index is
//!   recreated from its own stored definition before anything reads the
//!   tables again or the transaction commits, so the committed schema is the
//!   one found, and a key loaded twice fails the rebuild (and the import)
//!   instead of being stored. A rollback (or a crash: the journal) restores
//!   them untouched.
//! - An ingest into an empty store sets aside only the canonicals' indexes
//!   no lookup of its uses ([`set_aside_unkeyed`]), and the transaction
//!   builds them again at commit the same way.

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

/// What a bulk load set aside, to put back when it ends.
pub struct Aside {
    /// Definitions of the dropped indexes.
    indexes: Vec<String>,
    /// The page cache size (the `cache_size` pragma's value) to put back
    /// after the index build.
    cache: i64,
}

/// The page cache while indexes are built, in KiB. The sorter may hold as
/// much as the cache in memory beside it; a small cache during the build
/// keeps the two within the import's memory bound (the sorter spills to
/// temporary files past it).
const BUILD_CACHE_KIB: i64 = 2 * 1024;

/// The page cache while rows go in, in KiB. With every index set aside a
/// load only appends, and touches again only the last pages of each table:
/// the connection's usual cache would fill with pages written once (24 MiB
/// of an import's and an ingest's peak RSS, with no time measured to gain).
const LOAD_CACHE_KIB: i64 = 8 * 1024;

/// Drops the loaded tables' indexes and shrinks the page cache until
/// [`restore`] puts both back.
pub fn set_aside(conn: &Connection) -> Result<Aside> {
    let aside = drop_indexes(
        conn,
        "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL \
         AND tbl_name IN ('canonicals', 'edges', 'taken') ORDER BY name",
    )?;
    conn.pragma_update(None, "cache_size", -LOAD_CACHE_KIB)?;
    Ok(aside)
}

/// Drops the indexes `select` names (name, definition).
fn drop_indexes(conn: &Connection, select: &str) -> Result<Aside> {
    let mut stmt = conn.prepare(select)?;
    let found = stmt
        .query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (name, _) in &found {
        let quoted = name.replace('"', "\"\"");
        conn.execute_batch(&format!("DROP INDEX \"{quoted}\""))?;
    }
    let cache = conn.pragma_query_value(None, "cache_size", |row| row.get(0))?;
    Ok(Aside {
        indexes: found.into_iter().map(|(_, sql)| sql).collect(),
        cache,
    })
}

/// The canonicals' indexes that no lookup by merge hash or source record
/// uses: an ingest into an empty store sets them aside
/// ([`set_aside_unkeyed`]) and builds them once at the end.
const UNKEYED: &str = "'canonicals_id', 'canonicals_change_seq', 'canonicals_cve', \
     'canonicals_affects_key'";

/// Drops [`UNKEYED`]: the indexes that every canonical write updates at a
/// random place and that an ingest never reads. The keys by merge hash and
/// by source record stay, so every lookup an ingest makes stays indexed.
pub fn set_aside_unkeyed(conn: &Connection) -> Result<Aside> {
    drop_indexes(
        conn,
        &format!(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL \
         AND name IN ({UNKEYED}) ORDER BY name"
        ),
    )
}

/// Puts back the connection's own page cache: at a rollback (which puts
/// back the indexes) and at the end of [`restore`].
pub fn abandon(conn: &Connection, aside: &Aside) -> Result<()> {
    Ok(conn.pragma_update(None, "cache_size", aside.cache)?)
}

/// Recreates what [`set_aside`] dropped and puts the page cache back,
/// whether or not the build succeeded (its error is the one returned).
pub fn restore(conn: &Connection, aside: &Aside) -> Result<()> {
    let built = conn
        .pragma_update(None, "cache_size", -BUILD_CACHE_KIB)
        .and_then(|()| {
            aside
                .indexes
                .iter()
                .try_for_each(|sql| conn.execute_batch(sql))
        });
    let put_back = abandon(conn, aside);
    built?;
    put_back
}
