//! Damage that only the SQLite store can hold: its UUID columns are text,
//! so a bad UUID must come back as `Corrupt`, not a panic.

use super::Harness;
use crate::store::tests::canonical::assert_corrupt;

#[test]
fn corrupt_uuid_text_is_an_error_not_a_panic() {
    assert_corrupt(
        &mut Harness::sqlite(),
        &[
            ("UPDATE canonicals SET id = 'not-a-uuid'", "canonicals.id"),
            ("UPDATE edges SET canonical_id = 'x'", "edges.canonical_id"),
        ],
    );
}

/// Keyed lookups run once per row on export, import and ingest: a new
/// binding must not make SQLite compile them again.
#[test]
fn keyed_lookups_are_not_reprepared_per_binding() {
    use rusqlite::StatementStatus;

    use super::super::canonical::{EDGES_OF, SOURCE_RECORD, edges, source_record};

    let store = crate::store::sqlite::SqliteStore::open_in_memory().unwrap();
    for key in ["a", "b", "c"] {
        edges(&store.conn, key).unwrap();
        source_record(&store.conn, "osv", key).unwrap();
    }
    for sql in [EDGES_OF, SOURCE_RECORD] {
        let stmt = store.conn.prepare_cached(sql).unwrap();
        assert_eq!(stmt.get_status(StatementStatus::Run), 3, "{sql}");
        assert_eq!(stmt.get_status(StatementStatus::RePrepare), 0, "{sql}");
    }
}
