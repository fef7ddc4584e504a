//! What a bundle holds: the format versions, the five member names in
//! archive order, and the three NDJSON members ([`Member`]).
//!
//! Invariant: archive order is `MANIFEST.json`, `SIGNATURE.json`, then
//! [`Member::ALL`]; writer and reader both take it from here.

/// The `version` the manifests this stella writes carry: 1.1, whose rows
/// carry their causal history (`man/stella-bundle.5`).
pub const FORMAT_VERSION: &str = "feedser-bundle/1.1";
/// The first format, whose rows carry no history; still read and imported.
pub const FORMAT_1_0: &str = "feedser-bundle/1.0";
/// Every `version` this stella reads.
pub const READ_VERSIONS: [&str; 2] = [FORMAT_1_0, FORMAT_VERSION];
pub const MANIFEST_PATH: &str = "MANIFEST.json";
pub const SIGNATURE_PATH: &str = "SIGNATURE.json";

/// One of the three NDJSON members, in archive order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Member {
    Canonicals,
    Edges,
    Deletions,
}

impl Member {
    /// The three members in the order they appear in the archive.
    pub const ALL: [Member; 3] = [Member::Canonicals, Member::Edges, Member::Deletions];

    pub fn path(self) -> &'static str {
        match self {
            Member::Canonicals => "canonicals.ndjson",
            Member::Edges => "edges.ndjson",
            Member::Deletions => "deletions.ndjson",
        }
    }
}

/// The five member names, in archive order.
pub(crate) const KNOWN: [&str; 5] = [
    MANIFEST_PATH,
    SIGNATURE_PATH,
    "canonicals.ndjson",
    "edges.ndjson",
    "deletions.ndjson",
];
