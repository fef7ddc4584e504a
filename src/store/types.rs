//! Plain records that cross the [`Store`](super::Store) boundary.

use serde::Serialize;

use crate::cursor::Cursor;
use crate::model::{CanonicalRecord, Deletion};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CanonicalFilter {
    /// Exact advisory key, compared case-insensitively.
    pub cve: Option<String>,
    /// Normalized PURL (no version); matches `affects_key` exactly.
    pub purl: Option<String>,
    pub limit: Option<usize>,
}

/// One row of an export, in feed order. Rows are streamed one at a time,
/// never collected, so the size difference of the variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportRow {
    Canonical(Cursor, CanonicalRecord),
    Deletion(Cursor, Deletion),
}

/// One row of an export as the bundle's bytes
/// ([`Store::export_lines`](super::Store::export_lines)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportLines<'a> {
    /// A canonical's NDJSON line, and its edges' lines in export order (as
    /// many as `edge_count`), each line ending in `\n`.
    Canonical {
        cursor: Cursor,
        line: &'a [u8],
        edges: &'a [u8],
        edge_count: u64,
    },
    Deletion(Cursor, Deletion),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Site {
    pub site_id: String,
    pub display_name: String,
    pub enabled: bool,
    /// Per-site cap on the compressed bundle size, bytes.
    pub max_bundle_size: Option<u64>,
    /// When set, only edges from these sources are imported.
    pub allowed_sources: Option<Vec<String>>,
    /// The conflict strategy for this site's bundles (`prefer_remote`,
    /// `prefer_local`, `fail`, `newest`); `None` follows
    /// `FederationImport.OnConflict`.
    pub on_conflict: Option<String>,
    pub created_at: String,
    pub last_cursor: Option<Cursor>,
    pub last_sync_at: Option<String>,
    pub bundles_imported: u64,
    #[serde(rename = "total_items_imported")]
    pub items_imported: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSite {
    pub site_id: String,
    pub display_name: String,
    pub enabled: bool,
    pub created_at: String,
}

/// `None` leaves a field as it is; `Some(None)` clears an optional one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyChange {
    pub enabled: Option<bool>,
    pub max_bundle_size: Option<Option<u64>>,
    pub allowed_sources: Option<Option<Vec<String>>>,
    pub on_conflict: Option<Option<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewKey {
    pub key_id: String,
    pub public_pem: String,
    pub added_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrustedKey {
    pub key_id: String,
    #[serde(skip)]
    pub public_pem: String,
    pub added_at: String,
    pub revoked_at: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub canonical_created: u64,
    pub canonical_updated: u64,
    pub canonical_skipped: u64,
    pub edges_added: u64,
    pub deletions_processed: u64,
    /// Canonicals dropped because none of their edges' sources is allowed.
    pub canonical_filtered: u64,
    /// Edges dropped by the site's allowed sources.
    pub edges_filtered: u64,
    /// Canonicals whose versions were made concurrently with the local one
    /// and differ: the real conflicts, settled by the strategy.
    pub conflicts: u64,
    /// Canonicals and tombstones skipped because the local version already
    /// supersedes them (a late or relayed older version).
    pub stale: u64,
    /// Canonicals and tombstones skipped because the local version is the
    /// very same (the peer sent back what this site has).
    pub echo: u64,
    /// Tombstones not applied: the peer may not delete that canonical (its
    /// sources are outside the peer's allowed sources, or a 1.0 bundle's
    /// tombstone of a canonical that peer did not supply).
    pub deletions_refused: u64,
}

/// What this site last sent a peer with `export --for`, and the last
/// position the peer acknowledged (the cursor it reported back, given to
/// `export --for` with `-c`). Cursors are this site's own feed positions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Sent {
    pub site_id: String,
    pub sent_cursor: Option<Cursor>,
    pub sent_at: Option<String>,
    pub acked_cursor: Option<Cursor>,
    pub acked_at: Option<String>,
}

/// `new` over `old`: each position only moves forward, and a field `new`
/// leaves `None` keeps `old`'s value (both stores record sends this way).
pub fn merge_sent(old: &Sent, new: &Sent) -> Sent {
    let pick = |o: Option<Cursor>,
                o_at: &Option<String>,
                n: Option<Cursor>,
                n_at: &Option<String>| {
        match (o, n) {
            (Some(o), Some(n)) if n.seq() < o.seq() => (Some(o), o_at.clone()),
            (_, Some(n)) => (Some(n), n_at.clone()),
            (o, None) => (o, o_at.clone()),
        }
    };
    let (sent_cursor, sent_at) = pick(old.sent_cursor, &old.sent_at, new.sent_cursor, &new.sent_at);
    let (acked_cursor, acked_at) = pick(
        old.acked_cursor,
        &old.acked_at,
        new.acked_cursor,
        &new.acked_at,
    );
    Sent {
        site_id: new.site_id.clone(),
        sent_cursor,
        sent_at,
        acked_cursor,
        acked_at,
    }
}

/// One row of the sync ledger: one committed import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    pub site_id: String,
    pub bundle_hash: String,
    pub manifest_sha256: String,
    pub since_cursor: Option<Cursor>,
    #[serde(rename = "imported_cursor")]
    pub export_cursor: Cursor,
    pub imported_at: String,
    pub signer_key_id: Option<String>,
    pub signature_skipped: bool,
    pub forced: bool,
    pub counts: ImportCounts,
    /// Items in the bundle (canonicals + edges + deletions).
    #[serde(rename = "total_items")]
    pub items: u64,
    /// Why the import was forced past the cursor checks (`--reason`).
    #[serde(rename = "force_reason")]
    pub reason: Option<String>,
    /// Whether the import moves the site's last cursor: false for a forced
    /// import of a bundle at or before it (a cursor never moves backwards).
    /// Not stored: read back as true.
    #[serde(skip)]
    pub advances: bool,
}

/// Spelled as the document spells it: `Created`, `Updated`, `Deleted`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum EventAction {
    Created,
    Updated,
    Deleted,
}

impl EventAction {
    pub fn as_str(self) -> &'static str {
        match self {
            EventAction::Created => "Created",
            EventAction::Updated => "Updated",
            EventAction::Deleted => "Deleted",
        }
    }
}

/// A `canonical-imported` event before the store numbers it: the
/// document's fields in the document's order, then the local cursor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewEvent {
    pub canonical_id: uuid::Uuid,
    pub cve: String,
    pub affects_key: String,
    pub merge_hash: String,
    pub action: EventAction,
    pub bundle_hash: String,
    /// The site whose bundle made the change.
    pub site_id: String,
    /// RFC 3339 UTC to the second, `2025-01-15T10:30:15Z` ([`event_time`]).
    pub imported_at: String,
    /// The local feed cursor of the change.
    #[serde(rename = "local_cursor")]
    pub cursor: Cursor,
}

/// An event's `imported_at` from a stella time (`2025-01-15T10:30:15.123Z`):
/// the document's form, to the second (`2025-01-15T10:30:15Z`).
pub fn event_time(at: &str) -> String {
    match at.split_once('.') {
        Some((seconds, _)) if at.ends_with('Z') => format!("{seconds}Z"),
        _ => at.to_owned(),
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    pub event_id: u64,
    pub event_type: &'static str,
    #[serde(flatten)]
    pub event: NewEvent,
}

pub const CANONICAL_IMPORTED: &str = "canonical-imported";

/// One differing field of a conflicting canonical, as the store keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConflictRow {
    pub site_id: String,
    pub merge_hash: String,
    pub field: String,
    /// JSON text of each side's value.
    pub local_value: String,
    pub remote_value: String,
    /// `prefer_remote`, `prefer_local` or `fail`.
    pub resolution: String,
    pub recorded_at: String,
}
