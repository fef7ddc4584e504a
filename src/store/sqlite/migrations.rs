//! The SQLite schema as an append-only list of steps, oldest first, run by
//! the shared runner (`migrate`; see its module for the invariants). Step
//! `i` takes a database from `user_version = i` to `i + 1`: a change to the
//! schema is a new step at the end, never an edit of a shipped one.

use rusqlite::Connection;

use super::migrate::Step;
use crate::store::StoreError;

/// The schema, one step per version (see `migrate`).
pub const MIGRATIONS: &[Step<StoreError>] = &[
    Step::Sql(
        r#"
CREATE TABLE canonicals (
    merge_hash    TEXT PRIMARY KEY NOT NULL,
    id            TEXT NOT NULL UNIQUE,
    cve           TEXT NOT NULL,
    affects_key   TEXT NOT NULL,
    status        TEXT NOT NULL,
    severity      TEXT NOT NULL,
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL,
    cvss_vector   TEXT,
    version_range TEXT NOT NULL,
    weaknesses    TEXT NOT NULL,
    patch_lineage TEXT NOT NULL,
    published     TEXT,
    modified      TEXT,
    change_seq    INTEGER NOT NULL UNIQUE
) STRICT;
CREATE INDEX canonicals_cve ON canonicals (cve COLLATE NOCASE);
CREATE INDEX canonicals_affects_key ON canonicals (affects_key);

CREATE TABLE edges (
    merge_hash         TEXT NOT NULL REFERENCES canonicals (merge_hash) ON DELETE CASCADE,
    source             TEXT NOT NULL,
    source_advisory_id TEXT NOT NULL,
    id                 TEXT NOT NULL,
    canonical_id       TEXT NOT NULL,
    vendor_status      TEXT NOT NULL,
    source_sha256      TEXT NOT NULL,
    PRIMARY KEY (merge_hash, source, source_advisory_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX edges_source ON edges (source, source_advisory_id);

CREATE TABLE tombstones (
    merge_hash   TEXT PRIMARY KEY NOT NULL,
    canonical_id TEXT NOT NULL,
    deleted_at   TEXT NOT NULL,
    reason       TEXT NOT NULL,
    change_seq   INTEGER NOT NULL UNIQUE
) STRICT;

CREATE TABLE feed (
    seq        INTEGER PRIMARY KEY,
    millis     INTEGER NOT NULL,
    merge_hash TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('put', 'delete'))
) STRICT;

CREATE TABLE sites (
    site_id          TEXT PRIMARY KEY NOT NULL,
    display_name     TEXT NOT NULL,
    enabled          INTEGER NOT NULL,
    max_bundle_size  INTEGER,
    allowed_sources  TEXT,
    created_at       TEXT NOT NULL,
    last_cursor      TEXT,
    last_sync_at     TEXT,
    bundles_imported INTEGER NOT NULL DEFAULT 0,
    items_imported   INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE site_keys (
    site_id    TEXT NOT NULL REFERENCES sites (site_id) ON DELETE CASCADE,
    key_id     TEXT NOT NULL,
    public_pem TEXT NOT NULL,
    added_at   TEXT NOT NULL,
    revoked_at TEXT,
    PRIMARY KEY (site_id, key_id)
) STRICT;

CREATE TABLE taken (
    site_id    TEXT NOT NULL REFERENCES sites (site_id) ON DELETE CASCADE,
    merge_hash TEXT NOT NULL,
    digest     TEXT NOT NULL,
    PRIMARY KEY (site_id, merge_hash)
) STRICT, WITHOUT ROWID;

CREATE TABLE ledger (
    ledger_id           INTEGER PRIMARY KEY AUTOINCREMENT,
    bundle_hash         TEXT NOT NULL UNIQUE,
    site_id             TEXT NOT NULL REFERENCES sites (site_id),
    manifest_sha256     TEXT NOT NULL,
    since_cursor        TEXT,
    export_cursor       TEXT NOT NULL,
    imported_at         TEXT NOT NULL,
    signer_key_id       TEXT,
    signature_skipped   INTEGER NOT NULL,
    forced              INTEGER NOT NULL,
    canonical_created   INTEGER NOT NULL,
    canonical_updated   INTEGER NOT NULL,
    canonical_skipped   INTEGER NOT NULL,
    edges_added         INTEGER NOT NULL,
    deletions_processed INTEGER NOT NULL,
    canonical_filtered  INTEGER NOT NULL,
    edges_filtered      INTEGER NOT NULL,
    conflicts           INTEGER NOT NULL,
    items               INTEGER NOT NULL
) STRICT;
CREATE INDEX ledger_site_manifest ON ledger (site_id, manifest_sha256);

CREATE TABLE events (
    event_id       INTEGER PRIMARY KEY AUTOINCREMENT,
    canonical_id   TEXT NOT NULL,
    merge_hash     TEXT NOT NULL,
    cve            TEXT NOT NULL,
    affects_key    TEXT NOT NULL,
    action         TEXT NOT NULL,
    source_site_id TEXT NOT NULL,
    bundle_hash    TEXT NOT NULL,
    cursor         TEXT NOT NULL,
    imported_at    TEXT NOT NULL
) STRICT;
"#,
    ),
    Step::Sql(
        r#"
CREATE TABLE conflicts (
    conflict_id  INTEGER PRIMARY KEY AUTOINCREMENT,
    bundle_hash  TEXT NOT NULL,
    site_id      TEXT NOT NULL,
    merge_hash   TEXT NOT NULL,
    field        TEXT NOT NULL,
    local_value  TEXT NOT NULL,
    remote_value TEXT NOT NULL,
    resolution   TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
) STRICT;
CREATE INDEX conflicts_by_bundle ON conflicts (bundle_hash);
"#,
    ),
    // Why an import was forced past the cursor checks (`--force --reason`).
    Step::Sql("ALTER TABLE ledger ADD COLUMN reason TEXT;"),
    // Edges become a rowid table with a narrow unique index: edges arrive in
    // merge-hash (random) order, and inserting ~100-byte index entries at
    // random touches a third of the pages that whole ~350-byte rows did.
    Step::Sql(
        r#"
CREATE TABLE edges_v4 (
    merge_hash         TEXT NOT NULL REFERENCES canonicals (merge_hash) ON DELETE CASCADE,
    source             TEXT NOT NULL,
    source_advisory_id TEXT NOT NULL,
    id                 TEXT NOT NULL,
    canonical_id       TEXT NOT NULL,
    vendor_status      TEXT NOT NULL,
    source_sha256      TEXT NOT NULL,
    UNIQUE (merge_hash, source, source_advisory_id)
) STRICT;
INSERT INTO edges_v4 SELECT merge_hash, source, source_advisory_id, id, canonical_id,
    vendor_status, source_sha256 FROM edges ORDER BY merge_hash, source, source_advisory_id;
DROP TABLE edges;
ALTER TABLE edges_v4 RENAME TO edges;
CREATE INDEX edges_source ON edges (source, source_advisory_id);
"#,
    ),
    // Every key of the bulk-loaded tables becomes a named `CREATE UNIQUE
    // INDEX` instead of a column constraint, so a bulk load can set it aside
    // and build it once, sorted, at the end (`bulk`); the rows themselves
    // are unchanged. Edges are copied before the old canonicals go: dropping
    // a parent table deletes (and here would cascade to) its children.
    Step::Sql(
        r#"
CREATE TABLE canonicals_v5 (
    merge_hash    TEXT NOT NULL,
    id            TEXT NOT NULL,
    cve           TEXT NOT NULL,
    affects_key   TEXT NOT NULL,
    status        TEXT NOT NULL,
    severity      TEXT NOT NULL,
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL,
    cvss_vector   TEXT,
    version_range TEXT NOT NULL,
    weaknesses    TEXT NOT NULL,
    patch_lineage TEXT NOT NULL,
    published     TEXT,
    modified      TEXT,
    change_seq    INTEGER NOT NULL
) STRICT;
INSERT INTO canonicals_v5 SELECT merge_hash, id, cve, affects_key, status, severity, title,
    summary, cvss_vector, version_range, weaknesses, patch_lineage, published, modified,
    change_seq FROM canonicals ORDER BY change_seq;
CREATE UNIQUE INDEX canonicals_merge_hash ON canonicals_v5 (merge_hash);

CREATE TABLE edges_v5 (
    merge_hash         TEXT NOT NULL REFERENCES canonicals_v5 (merge_hash) ON DELETE CASCADE,
    source             TEXT NOT NULL,
    source_advisory_id TEXT NOT NULL,
    id                 TEXT NOT NULL,
    canonical_id       TEXT NOT NULL,
    vendor_status      TEXT NOT NULL,
    source_sha256      TEXT NOT NULL
) STRICT;
INSERT INTO edges_v5 SELECT merge_hash, source, source_advisory_id, id, canonical_id,
    vendor_status, source_sha256 FROM edges ORDER BY rowid;
DROP TABLE edges;
DROP TABLE canonicals;
ALTER TABLE canonicals_v5 RENAME TO canonicals;
ALTER TABLE edges_v5 RENAME TO edges;
CREATE UNIQUE INDEX canonicals_id ON canonicals (id);
CREATE UNIQUE INDEX canonicals_change_seq ON canonicals (change_seq);
CREATE INDEX canonicals_cve ON canonicals (cve COLLATE NOCASE);
CREATE INDEX canonicals_affects_key ON canonicals (affects_key);
CREATE UNIQUE INDEX edges_key ON edges (merge_hash, source, source_advisory_id);
CREATE INDEX edges_source ON edges (source, source_advisory_id);

CREATE TABLE taken_v5 (
    site_id    TEXT NOT NULL REFERENCES sites (site_id) ON DELETE CASCADE,
    merge_hash TEXT NOT NULL,
    digest     TEXT NOT NULL
) STRICT;
INSERT INTO taken_v5 SELECT site_id, merge_hash, digest FROM taken ORDER BY site_id, merge_hash;
DROP TABLE taken;
ALTER TABLE taken_v5 RENAME TO taken;
CREATE UNIQUE INDEX taken_key ON taken (site_id, merge_hash);
"#,
    ),
    // Each live canonical's export bytes, kept by its feed position: its
    // NDJSON line and its edges' lines (`codec::export_lines`). A full or
    // delta export is then a range scan of this table in key order that
    // copies bytes, instead of an edge index probe and a serialization per
    // canonical. Rows already stored are filled by `lines::fill`, run after
    // this step's table creation, in the same step.
    Step::Rust(export_lines),
    // Causal history (format 1.1): each version's and tombstone's history as
    // JSON (NULL for a row stored before, which counts as the local site's
    // first version), and the peer it came from unchanged (`via`, NULL when
    // this site made or merged it), so `export --for` leaves it out. The
    // ledger counts stale, echoed and refused rows; a site may have its own
    // conflict strategy; `sent` remembers what `export --for` last sent each
    // peer.
    Step::Sql(
        r#"
ALTER TABLE canonicals ADD COLUMN history TEXT;
ALTER TABLE canonicals ADD COLUMN via TEXT;
ALTER TABLE tombstones ADD COLUMN history TEXT;
ALTER TABLE tombstones ADD COLUMN via TEXT;
ALTER TABLE ledger ADD COLUMN canonical_stale INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ledger ADD COLUMN canonical_echo INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ledger ADD COLUMN deletions_refused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sites ADD COLUMN on_conflict TEXT;
CREATE TABLE sent (
    site_id      TEXT PRIMARY KEY NOT NULL,
    sent_cursor  TEXT,
    sent_at      TEXT,
    acked_cursor TEXT,
    acked_at     TEXT
) STRICT;
"#,
    ),
    // `canonical-imported` events in the document's shape: `site_id`,
    // actions `Created`/`Updated`/`Deleted`, `imported_at` to the second.
    Step::Sql(super::renamed::EVENTS_AS_DOCUMENTED),
    // Edge sources an older stella guessed from id prefixes (`bit`) take
    // the table's names (`bitnami`), with their edge ids (`renamed`).
    Step::Rust(super::renamed::guessed_sources),
    // `sites remove` (#27): a removed site leaves `sites list` and imports
    // from it are refused, while its keys and ledger rows stay for audit;
    // `sites add` of the same id clears the stamp again.
    Step::Rust(removed_at),
];

/// Step 10: `sites.removed_at`, added unless a store taken back to an
/// older version by hand still has it (SQLite has no `ADD COLUMN IF NOT
/// EXISTS`).
fn removed_at(conn: &Connection) -> Result<(), StoreError> {
    let held: bool = conn.query_row(
        "SELECT count(*) FROM pragma_table_info('sites') WHERE name = 'removed_at'",
        [],
        |row| row.get(0),
    )?;
    if !held {
        conn.execute_batch("ALTER TABLE sites ADD COLUMN removed_at TEXT;")?;
    }
    Ok(())
}

/// Step 6: the table of export bytes, filled for the rows already stored.
fn export_lines(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE export_lines (
    seq        INTEGER PRIMARY KEY,
    line       TEXT NOT NULL,
    edge_lines TEXT NOT NULL
) STRICT;",
    )?;
    super::lines::fill(conn)
}
