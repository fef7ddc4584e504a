//! The schema: an append-only migration list and the version check.
//!
//! Invariants:
//! - `MIGRATIONS` only ever grows; entry `i` takes a schema from version `i`
//!   to `i + 1`. Never edit a shipped entry.
//! - Each migration runs in its own transaction together with its version
//!   bump, so the schema is always exactly at some version.
//! - All of `migrate` runs under a session-level advisory lock keyed by the
//!   schema name, so two hosts never migrate one schema at once; the second
//!   finds the work done. A newer schema is refused untouched.
//!
//! Compatibility: times, cursors and JSON lists are TEXT in the SQLite
//! store's exact forms; ids are `uuid`; text that is sorted or compared as a
//! key is `COLLATE "C"` (byte order, as the model requires).

use postgres::Client;

use super::conn;
use crate::store::{Result, StoreError};

/// The schema, one migration per entry (see the module invariants).
pub const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE canonicals (
    merge_hash    text COLLATE "C" PRIMARY KEY,
    id            uuid NOT NULL UNIQUE,
    cve           text NOT NULL,
    affects_key   text COLLATE "C" NOT NULL,
    status        text NOT NULL,
    severity      text NOT NULL,
    title         text NOT NULL,
    summary       text NOT NULL,
    cvss_vector   text,
    version_range text NOT NULL,
    weaknesses    text NOT NULL,
    patch_lineage text NOT NULL,
    published     text,
    modified      text,
    change_seq    bigint NOT NULL UNIQUE
);
CREATE INDEX canonicals_cve ON canonicals (lower(cve));
CREATE INDEX canonicals_affects_key ON canonicals (affects_key);
CREATE TABLE edges (
    merge_hash         text COLLATE "C" NOT NULL
                       REFERENCES canonicals (merge_hash) ON DELETE CASCADE,
    source             text COLLATE "C" NOT NULL,
    source_advisory_id text COLLATE "C" NOT NULL,
    id                 uuid NOT NULL,
    canonical_id       uuid NOT NULL,
    vendor_status      text NOT NULL,
    source_sha256      text NOT NULL,
    PRIMARY KEY (merge_hash, source, source_advisory_id)
);
CREATE INDEX edges_source ON edges (source, source_advisory_id);
CREATE TABLE tombstones (
    merge_hash   text COLLATE "C" PRIMARY KEY,
    canonical_id uuid NOT NULL,
    deleted_at   text NOT NULL,
    reason       text NOT NULL,
    change_seq   bigint NOT NULL UNIQUE
);
CREATE TABLE feed (
    seq        bigint PRIMARY KEY,
    millis     bigint NOT NULL,
    merge_hash text COLLATE "C" NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('put', 'delete'))
);
CREATE TABLE sites (
    site_id          text COLLATE "C" PRIMARY KEY,
    display_name     text NOT NULL,
    enabled          boolean NOT NULL,
    max_bundle_size  bigint,
    allowed_sources  text,
    created_at       text NOT NULL,
    last_cursor      text,
    last_sync_at     text,
    bundles_imported bigint NOT NULL DEFAULT 0,
    items_imported   bigint NOT NULL DEFAULT 0
);
CREATE TABLE site_keys (
    key_seq    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id    text COLLATE "C" NOT NULL REFERENCES sites (site_id) ON DELETE CASCADE,
    key_id     text NOT NULL,
    public_pem text NOT NULL,
    added_at   text NOT NULL,
    revoked_at text,
    UNIQUE (site_id, key_id)
);
CREATE TABLE taken (
    site_id    text COLLATE "C" NOT NULL REFERENCES sites (site_id) ON DELETE CASCADE,
    merge_hash text COLLATE "C" NOT NULL,
    digest     text NOT NULL,
    PRIMARY KEY (site_id, merge_hash)
);
CREATE TABLE ledger (
    ledger_id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bundle_hash         text NOT NULL UNIQUE,
    site_id             text COLLATE "C" NOT NULL REFERENCES sites (site_id),
    manifest_sha256     text NOT NULL,
    since_cursor        text,
    export_cursor       text NOT NULL,
    imported_at         text NOT NULL,
    signer_key_id       text,
    signature_skipped   boolean NOT NULL,
    forced              boolean NOT NULL,
    canonical_created   bigint NOT NULL,
    canonical_updated   bigint NOT NULL,
    canonical_skipped   bigint NOT NULL,
    edges_added         bigint NOT NULL,
    deletions_processed bigint NOT NULL,
    canonical_filtered  bigint NOT NULL,
    edges_filtered      bigint NOT NULL,
    conflicts           bigint NOT NULL,
    items               bigint NOT NULL
);
CREATE INDEX ledger_site_manifest ON ledger (site_id, manifest_sha256);
CREATE TABLE events (
    event_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    canonical_id   uuid NOT NULL,
    merge_hash     text NOT NULL,
    cve            text NOT NULL,
    affects_key    text NOT NULL,
    action         text NOT NULL,
    source_site_id text NOT NULL,
    bundle_hash    text NOT NULL,
    cursor         text NOT NULL,
    imported_at    text NOT NULL
);
CREATE TABLE conflicts (
    conflict_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bundle_hash  text NOT NULL,
    site_id      text NOT NULL,
    merge_hash   text NOT NULL,
    field        text NOT NULL,
    local_value  text NOT NULL,
    remote_value text NOT NULL,
    resolution   text NOT NULL,
    recorded_at  text NOT NULL
);
CREATE INDEX conflicts_by_bundle ON conflicts (bundle_hash);
"#];

/// What [`migrate`](super::migrate) did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrateReport {
    pub schema: String,
    /// The version found (0 for a missing schema).
    pub from: i64,
    /// The version left; equal to `from` when nothing was pending.
    pub to: i64,
}

/// The schema version this build writes: the number of migrations.
pub fn known_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// The stored version, 0 when the schema or its version table is missing.
pub fn version(client: &mut Client, schema: &str) -> Result<i64, postgres::Error> {
    let table = format!("{schema}.schema_version");
    let row = client.query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])?;
    if !row.try_get::<_, bool>(0)? {
        return Ok(0);
    }
    let sql = format!("SELECT max(version) FROM {schema}.schema_version");
    let found: Option<i64> = client.query_one(&sql, &[])?.try_get(0)?;
    Ok(found.unwrap_or(0))
}

/// Refuses a schema that is behind or newer than this build.
pub fn require_current(schema: &str, found: i64) -> Result<()> {
    let known = known_version();
    if found < known {
        return Err(StoreError::SchemaBehind {
            schema: schema.to_owned(),
            found,
            expected: known,
        });
    }
    if found > known {
        return Err(StoreError::SchemaNewer {
            schema: schema.to_owned(),
            found,
            known,
        });
    }
    Ok(())
}

/// Applies the pending migrations; the caller holds the migration lock.
pub fn apply(client: &mut Client, schema: &str) -> Result<MigrateReport, MigrateFail> {
    client.batch_execute(&format!(
        "CREATE SCHEMA IF NOT EXISTS {schema}; \
         CREATE TABLE IF NOT EXISTS {schema}.schema_version (version bigint NOT NULL)"
    ))?;
    let from = version(client, schema)?;
    let known = known_version();
    if from > known {
        return Err(MigrateFail::Store(StoreError::SchemaNewer {
            schema: schema.to_owned(),
            found: from,
            known,
        }));
    }
    let done = usize::try_from(from).unwrap_or(0);
    for (i, migration) in MIGRATIONS.iter().enumerate().skip(done) {
        let mut tx = client.transaction()?;
        tx.batch_execute(&format!("SET LOCAL search_path TO {schema}"))?;
        tx.batch_execute(migration)?;
        let to = i64::try_from(i + 1).unwrap_or(i64::MAX);
        tx.execute(&format!("DELETE FROM {schema}.schema_version"), &[])?;
        let insert = format!("INSERT INTO {schema}.schema_version (version) VALUES ($1)");
        tx.execute(&insert, &[&to])?;
        tx.commit()?;
    }
    Ok(MigrateReport {
        schema: schema.to_owned(),
        from,
        to: from.max(known),
    })
}

/// A failed migration: a refusal, or a driver error still to be scrubbed.
pub enum MigrateFail {
    Store(StoreError),
    Pg(postgres::Error),
}

impl From<postgres::Error> for MigrateFail {
    fn from(e: postgres::Error) -> Self {
        MigrateFail::Pg(e)
    }
}

/// Runs [`apply`] under the session advisory lock, releasing it after.
pub fn migrate_locked(
    client: &mut Client,
    config: &postgres::Config,
    schema: &str,
) -> Result<MigrateReport> {
    let key = conn::lock_key("migrate", schema);
    let to_store = |fail: MigrateFail| match fail {
        MigrateFail::Store(e) => e,
        MigrateFail::Pg(e) => conn::pg_scrubbed(config)(e),
    };
    client
        .execute("SELECT pg_advisory_lock($1)", &[&key])
        .map_err(conn::pg_scrubbed(config))?;
    let result = apply(client, schema).map_err(to_store);
    let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&key]);
    let report = result?;
    unlocked.map_err(conn::pg_scrubbed(config))?;
    Ok(report)
}
