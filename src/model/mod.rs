//! The canonical advisory data model shared by ingest, bundles and stores.
//!
//! A canonical advisory is one advisory key (a CVE, or the source id where the
//! record has no CVE) × one affected package, identified by its `merge_hash`.
//! Source edges tie a canonical to the source records it came from; a
//! deletion is the tombstone of a canonical that is gone. These structs are
//! also the NDJSON rows of a bundle, so their serde shape is the wire format
//! (see `man/stella-bundle.5`): field order is declaration order and unknown
//! fields are refused.

pub mod conflict;
pub mod history;
pub mod merge_hash;
pub mod purl;
pub mod site_id;

pub use conflict::ConflictStrategy;
pub use history::{Causal, History};
pub use site_id::{SITE_ID_RULE, is_valid_site_id};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One canonical advisory: a `canonicals.ndjson` row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Canonical {
    pub id: Uuid,
    /// The advisory key: `CVE-YYYY-NNNN`, or the source id when there is no CVE.
    pub cve: String,
    /// Normalized package PURL without version, qualifiers or subpath.
    pub affects_key: String,
    /// `sha256:<hex>` over the normalized identity; see [`merge_hash`].
    pub merge_hash: String,
    pub status: Status,
    pub severity: Severity,
    pub title: String,
    pub summary: String,
    /// CVSS vector string when a source gave one.
    pub cvss_vector: Option<String>,
    pub version_range: Vec<VersionRange>,
    /// CWE ids, `CWE-<n>`, sorted and unique.
    pub weaknesses: Vec<String>,
    /// Fix commits (lowercase hex), sorted and unique.
    pub patch_lineage: Vec<String>,
    /// RFC 3339 UTC timestamps as the source gave them, normalized.
    pub published: Option<String>,
    pub modified: Option<String>,
    /// Where and after what this version was made (format 1.1); `None`
    /// for a version from a 1.0 bundle or a store older than histories.
    /// Not content: the record digest leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<History>,
}

/// One range of affected versions, OSV style.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionRange {
    /// `ECOSYSTEM`, `SEMVER` or `GIT`.
    #[serde(rename = "type")]
    pub range_type: String,
    /// The repository of a `GIT` range.
    pub repo: Option<String>,
    pub events: Vec<RangeEvent>,
}

/// One OSV range event; serialized as `{"introduced":"1.0"}` and so on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RangeEvent {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    Withdrawn,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    None,
    Unknown,
}

/// One source edge: an `edges.ndjson` row.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceEdge {
    pub id: Uuid,
    pub canonical_id: Uuid,
    /// The canonical's merge hash, so rows join without ids.
    pub merge_hash: String,
    /// `pypa`, `ghsa`, `nvd`, `go`, `osv`, …
    pub source: String,
    pub source_advisory_id: String,
    /// What the source says of the package: `affected` or `withdrawn`.
    pub vendor_status: String,
    /// `sha256:<hex>` of the source record's bytes as ingested.
    pub source_sha256: String,
}

/// One tombstone: a `deletions.ndjson` row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deletion {
    pub canonical_id: Uuid,
    pub merge_hash: String,
    /// `2025-01-15T10:30:00.000Z`.
    pub deleted_at: String,
    /// `superseded` (its source now yields another merge hash), `pruned`
    /// (its records left a full snapshot) or `remote` (a peer deleted it).
    pub reason: String,
    /// The tombstone's place in the advisory's causal history (format
    /// 1.1): it supersedes the versions it deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<History>,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Withdrawn => "withdrawn",
        }
    }
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::None => "none",
            Severity::Unknown => "unknown",
        }
    }
}

/// A canonical with its full edge set: the unit that ingest writes, bundles
/// carry and import compares.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CanonicalRecord {
    pub canonical: Canonical,
    /// Sorted by (source, source_advisory_id).
    pub edges: Vec<SourceEdge>,
}

/// Deterministic ids, so that two sites that derive the same canonical
/// independently agree on its id.
pub fn canonical_id(merge_hash: &str) -> Uuid {
    derived_uuid(&["stella-canonical-id/v1", merge_hash])
}

pub fn edge_id(canonical_id: &Uuid, source: &str, source_advisory_id: &str) -> Uuid {
    derived_uuid(&[
        "stella-edge-id/v1",
        &canonical_id.to_string(),
        source,
        source_advisory_id,
    ])
}

fn derived_uuid(parts: &[&str]) -> Uuid {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// `sha256:<hex>` of some bytes.
pub fn sha256_tagged(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha256_tag(sha2::Sha256::new_with_prefix(bytes))
}

/// `sha256:<hex>` of what `hasher` was fed: the one spelling of a digest
/// in manifests, ids and merge bases.
pub fn sha256_tag(hasher: sha2::Sha256) -> String {
    use sha2::Digest;
    format!("sha256:{}", hex::encode(hasher.finalize()))
}

impl SourceEdge {
    /// Both edges link the same source record: within a canonical, an
    /// edge's key.
    pub fn same_key(&self, other: &SourceEdge) -> bool {
        self.source == other.source && self.source_advisory_id == other.source_advisory_id
    }

    /// The order of a record's edges: by source, then source advisory id,
    /// bytewise (as [`CanonicalRecord::edges`] keeps them).
    pub fn key_order(&self, other: &SourceEdge) -> std::cmp::Ordering {
        (&self.source, &self.source_advisory_id).cmp(&(&other.source, &other.source_advisory_id))
    }
}

impl CanonicalRecord {
    /// The digest of the record's content: canonical fields and edges, as
    /// their exact NDJSON serialization, without the history.
    pub fn digest(&self) -> String {
        let canonical = serde_json::to_vec(&self.canonical).expect("model types always serialize");
        let mut digest = RecordDigest::new(&canonical);
        for edge in &self.edges {
            digest.edge(&serde_json::to_vec(edge).expect("model types always serialize"));
        }
        digest.finish()
    }

    /// Whether two records hold the same content, histories aside.
    pub fn same_content(&self, other: &CanonicalRecord) -> bool {
        let bare = |c: &Canonical| Canonical {
            history: None,
            ..c.clone()
        };
        self.edges == other.edges && bare(&self.canonical) == bare(&other.canonical)
    }
}

/// The canonical's NDJSON line without its `history` (the last field,
/// when present): the content part a digest covers.
pub fn content_part(line: &[u8]) -> (&[u8], bool) {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    match memchr::memmem::rfind(line, HISTORY_KEY) {
        Some(at) => (&line[..at], true),
        None => (line, false),
    }
}

/// How the `history` field starts inside a serialized row.
pub const HISTORY_KEY: &[u8] = b",\"history\":{";

/// [`CanonicalRecord::digest`] from the serializations a bundle carries: a
/// record serializes as `{"canonical":C,"edges":[E1,E2,…]}`, so the digest
/// can be taken from the canonical's and the edges' own canonical-form lines
/// without serializing anything again. The lines must be exactly what
/// `serde_json::to_vec` gives for each (the bundle reader checks that).
pub struct RecordDigest {
    hasher: sha2::Sha256,
    edges: usize,
}

impl RecordDigest {
    /// `canonical_json` may carry a `history`: it is left out.
    pub fn new(canonical_json: &[u8]) -> Self {
        use sha2::Digest;
        let mut hasher = sha2::Sha256::new();
        hasher.update(b"{\"canonical\":");
        match content_part(canonical_json) {
            (content, true) => {
                hasher.update(content);
                hasher.update(b"}");
            }
            (_, false) => hasher.update(canonical_json),
        }
        hasher.update(b",\"edges\":[");
        Self { hasher, edges: 0 }
    }

    /// The next edge, in the record's order.
    pub fn edge(&mut self, edge_json: &[u8]) {
        use sha2::Digest;
        if self.edges > 0 {
            self.hasher.update(b",");
        }
        self.hasher.update(edge_json);
        self.edges += 1;
    }

    pub fn finish(mut self) -> String {
        use sha2::Digest;
        self.hasher.update(b"]}");
        sha256_tag(self.hasher)
    }
}

#[cfg(test)]
pub(crate) mod tests;
