//! The append-only migration list (see `schema` for how it is applied).
//!
//! Invariant: entry `i` takes a schema from version `i` to `i + 1`; never
//! edit a shipped entry, only append. The SQL runs with the target schema
//! as its search path, so names are unqualified.

/// The schema, one migration per entry (see the module invariants).
pub const MIGRATIONS: &[&str] = &[
    r#"
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
"#,
    // Why an import was forced past the cursor checks (`--force --reason`).
    "ALTER TABLE ledger ADD COLUMN reason text;",
    // Causal history (format 1.1); see the SQLite store's migration 7.
    r#"
ALTER TABLE canonicals ADD COLUMN history text;
ALTER TABLE canonicals ADD COLUMN via text;
ALTER TABLE tombstones ADD COLUMN history text;
ALTER TABLE tombstones ADD COLUMN via text;
ALTER TABLE ledger ADD COLUMN canonical_stale bigint NOT NULL DEFAULT 0;
ALTER TABLE ledger ADD COLUMN canonical_echo bigint NOT NULL DEFAULT 0;
ALTER TABLE ledger ADD COLUMN deletions_refused bigint NOT NULL DEFAULT 0;
ALTER TABLE sites ADD COLUMN on_conflict text;
CREATE TABLE sent (
    site_id      text PRIMARY KEY,
    sent_cursor  text,
    sent_at      text,
    acked_cursor text,
    acked_at     text
);
"#,
    // `canonical-imported` events in the document's shape; see the SQLite
    // store's migration 8.
    r#"
ALTER TABLE events RENAME COLUMN source_site_id TO site_id;
UPDATE events SET action = 'Created' WHERE action = 'created';
UPDATE events SET action = 'Updated' WHERE action = 'updated';
UPDATE events SET action = 'Deleted' WHERE action = 'deleted';
UPDATE events SET imported_at = substr(imported_at, 1, 19) || 'Z'
    WHERE imported_at LIKE '____-__-__T__:__:__.%Z';
"#,
    // Edge sources an older stella guessed from id prefixes (`bit`) take
    // the table's names (`bitnami`), with their edge ids (`model::edge_id`,
    // computed here in SQL); a canonical holding both keeps the renamed
    // edge. See the SQLite store's migration 9 (`sqlite/renamed.rs`) for
    // the invariants; the list is frozen as this entry shipped.
    r#"
CREATE TEMP TABLE guessed (old text PRIMARY KEY, new text NOT NULL) ON COMMIT DROP;
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
CREATE OR REPLACE FUNCTION pg_temp.stella_edge_id(c uuid, s text, a text) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $f$
    SELECT encode(set_byte(set_byte(substring(h FROM 1 FOR 16),
        6, (get_byte(h, 6) & 15) | 128), 8, (get_byte(h, 8) & 63) | 128), 'hex')::uuid
    FROM (SELECT sha256(
        int8send(octet_length(convert_to('stella-edge-id/v1', 'UTF8'))::bigint)
        || convert_to('stella-edge-id/v1', 'UTF8')
        || int8send(octet_length(convert_to(c::text, 'UTF8'))::bigint)
        || convert_to(c::text, 'UTF8')
        || int8send(octet_length(convert_to(s, 'UTF8'))::bigint) || convert_to(s, 'UTF8')
        || int8send(octet_length(convert_to(a, 'UTF8'))::bigint) || convert_to(a, 'UTF8')
    ) AS h) AS d
$f$;
DELETE FROM edges e USING guessed g
    WHERE g.old = e.source AND lower(e.source_advisory_id) LIKE g.old || '-%'
    AND EXISTS (SELECT 1 FROM edges t WHERE t.merge_hash = e.merge_hash
        AND t.source = g.new AND t.source_advisory_id = e.source_advisory_id);
UPDATE edges e SET source = g.new,
        id = pg_temp.stella_edge_id(e.canonical_id, g.new, e.source_advisory_id)
    FROM guessed g
    WHERE g.old = e.source AND lower(e.source_advisory_id) LIKE g.old || '-%';
"#,
    // `sites remove` (#27); see the SQLite store's migration 10.
    "ALTER TABLE sites ADD COLUMN IF NOT EXISTS removed_at text;",
];
