//! Migrations 8 and 9 (issues #22 and #23): stored events take the
//! document's shape, and edge sources an older stella guessed from id
//! prefixes take the names of the table of sources.
//!
//! Invariants:
//! - After step 9 the store equals one that ingested the same records
//!   fresh: an edge `(bit, BIT-…)` is `(bitnami, BIT-…)` with the edge id
//!   derived from the new name, and a canonical holding both (a newer
//!   stella ingested the record again beside the guessed edge) keeps only
//!   the renamed one. The export bytes of every touched canonical are
//!   rewritten (`lines`).
//! - Renaming makes no new version: every site that upgrades renames the
//!   same edges the same way, so federated stores stay equal.
//! - The list of guesses is frozen here, as the step shipped (a unit test
//!   checks it against `osv::GUESSED`); the PostgreSQL store spells out
//!   the same list.

use rusqlite::{Connection, params};

use super::{canonical, lines};
use crate::model::{CanonicalRecord, edge_id};
use crate::store::{StoreError, codec, rows};

/// Step 8: events as the document writes them.
pub const EVENTS_AS_DOCUMENTED: &str = r#"
ALTER TABLE events RENAME COLUMN source_site_id TO site_id;
UPDATE events SET action = 'Created' WHERE action = 'created';
UPDATE events SET action = 'Updated' WHERE action = 'updated';
UPDATE events SET action = 'Deleted' WHERE action = 'deleted';
UPDATE events SET imported_at = substr(imported_at, 1, 19) || 'Z'
    WHERE imported_at LIKE '____-__-__T__:__:__.%Z';
"#;

/// The guessed names (`osv::GUESSED` when this step shipped).
const GUESSED: &str = r#"
CREATE TEMP TABLE guessed (old TEXT PRIMARY KEY NOT NULL, new TEXT NOT NULL);
INSERT INTO guessed (old, new) VALUES
    ('alba', 'almalinux'), ('alea', 'almalinux'), ('alsa', 'almalinux'),
    ('asb', 'android'), ('azl', 'azure-linux'), ('bell', 'bellsoft'), ('bit', 'bitnami'),
    ('cga', 'chainguard'), ('dhi', 'docker'), ('dla', 'debian'), ('dsa', 'debian'),
    ('dtsa', 'debian'), ('elba', 'oracle'), ('elsa', 'oracle'), ('hsec', 'haskell'),
    ('jlsec', 'julia'), ('lsn', 'ubuntu'), ('mal', 'malicious-packages'),
    ('mgasa', 'mageia'), ('mini', 'minimos'), ('oesa', 'openeuler'), ('osv', 'oss-fuzz'),
    ('phsa', 'photon'), ('pub', 'android'), ('rhba', 'redhat'), ('rhea', 'redhat'),
    ('rhsa', 'redhat'), ('rlba', 'rocky'), ('rlea', 'rocky'), ('rlsa', 'rocky'),
    ('rsec', 'r-consortium'), ('usn', 'ubuntu');
"#;

/// Each guessed edge: rowid, merge hash, canonical id, advisory id, the
/// new name, and whether the canonical already has the renamed edge.
const GUESSED_EDGES: &str = "SELECT e.rowid, e.merge_hash, e.canonical_id, \
     e.source_advisory_id, g.new, EXISTS (SELECT 1 FROM edges t WHERE \
     t.merge_hash = e.merge_hash AND t.source = g.new \
     AND t.source_advisory_id = e.source_advisory_id) \
     FROM edges e JOIN temp.guessed g ON g.old = e.source \
     WHERE lower(e.source_advisory_id) LIKE g.old || '-%' ORDER BY e.rowid";

/// The canonical columns at step 9, as `rows::canonical` reads them.
const CANONICAL_AT_9: &str = "SELECT change_seq, merge_hash, id, cve, affects_key, status, \
     severity, title, summary, cvss_vector, version_range, weaknesses, patch_lineage, \
     published, modified, history FROM canonicals WHERE merge_hash = ?1";

struct Guessed {
    rowid: i64,
    merge_hash: String,
    canonical_id: String,
    advisory: String,
    new: String,
    twin: bool,
}

/// Step 9: renames the guessed edge sources (see the module invariants).
pub fn guessed_sources(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(GUESSED)?;
    let found = guessed_edges(conn)?;
    let mut touched: Vec<String> = Vec::new();
    for edge in &found {
        if edge.twin {
            conn.execute("DELETE FROM edges WHERE rowid = ?1", [edge.rowid])?;
        } else {
            let key = edge.merge_hash.as_str();
            let canonical_id = codec::uuid("edges.canonical_id", key, &edge.canonical_id)?;
            let id = edge_id(&canonical_id, &edge.new, &edge.advisory).to_string();
            let sql = "UPDATE edges SET source = ?1, id = ?2 WHERE rowid = ?3";
            conn.execute(sql, params![edge.new, id, edge.rowid])?;
        }
        touched.push(edge.merge_hash.clone());
    }
    touched.sort_unstable();
    touched.dedup();
    for merge_hash in &touched {
        rewrite_lines(conn, merge_hash)?;
    }
    conn.execute_batch("DROP TABLE temp.guessed;")?;
    Ok(())
}

fn guessed_edges(conn: &Connection) -> Result<Vec<Guessed>, StoreError> {
    let mut stmt = conn.prepare(GUESSED_EDGES)?;
    let mut rows = stmt.query([])?;
    let mut found = Vec::new();
    while let Some(row) = rows.next()? {
        found.push(Guessed {
            rowid: row.get(0)?,
            merge_hash: row.get(1)?,
            canonical_id: row.get(2)?,
            advisory: row.get(3)?,
            new: row.get(4)?,
            twin: row.get(5)?,
        });
    }
    Ok(found)
}

/// The export bytes of a canonical whose edges changed.
fn rewrite_lines(conn: &Connection, merge_hash: &str) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(CANONICAL_AT_9)?;
    let mut rows = stmt.query([merge_hash])?;
    let Some(row) = rows.next()? else {
        return Ok(());
    };
    let seq: i64 = row.get(0)?;
    let canonical = rows::canonical(row, 1)?;
    let edges = canonical::edges(conn, merge_hash)?;
    lines::put(conn, &CanonicalRecord { canonical, edges }, seq)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_frozen_list_is_the_table_of_guesses() {
        let pairs = super::GUESSED.matches("('").count();
        assert_eq!(pairs, crate::osv::GUESSED.len());
        for (old, new) in crate::osv::GUESSED {
            assert!(
                super::GUESSED.contains(&format!("('{old}', '{new}')")),
                "{old}"
            );
        }
    }
}

#[cfg(test)]
mod edge_id_tests {
    /// The PostgreSQL migration computes edge ids in SQL; this is the value
    /// its function gives for these inputs (checked with psql).
    #[test]
    fn the_sql_derivation_of_an_edge_id_is_the_model_s() {
        let canonical = uuid::Uuid::parse_str("11111111-2222-3333-4444-555555555555").unwrap();
        let id = crate::model::edge_id(&canonical, "bitnami", "BIT-x-1");
        assert_eq!(id.to_string(), "ff751b75-d111-8309-9df7-5746ebb8dace");
    }
}
