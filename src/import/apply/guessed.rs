//! Edges a peer running an older stella names by guessing from the id
//! prefix (`bit` for `BIT-…`) arrive under the table's name (`bitnami`),
//! with the edge id derived from it: the same rename the store migration
//! made of this site's own edges (`osv::GUESSED`).
//!
//! Why map rather than refuse: the name is the only difference, the
//! record is otherwise what the peer holds, and refusing would stop a
//! federation until every peer upgrades. Mapped, an edge counts under the
//! name `--allowed-sources` knows (`bitnami`), and every site ends with the
//! rows a fresh ingest of the same records gives.
//!
//! Invariant: a record that names no guessed source is returned untouched
//! (with its digest); a renamed one is re-sorted, keeps one edge per
//! (source, advisory id), and gets the digest of what is kept.

use crate::model::{CanonicalRecord, edge_id};
use crate::osv::renamed_guess;

/// `record` with its guessed edge sources renamed, and its digest.
pub fn rename(mut record: CanonicalRecord, digest: String) -> (CanonicalRecord, String) {
    let mut renamed = false;
    for edge in &mut record.edges {
        if let Some(name) = renamed_guess(&edge.source, &edge.source_advisory_id) {
            edge.source = name.to_owned();
            edge.id = edge_id(&edge.canonical_id, name, &edge.source_advisory_id);
            renamed = true;
        }
    }
    if !renamed {
        return (record, digest);
    }
    record.edges.sort_by(|a, b| a.key_order(b));
    record
        .edges
        .dedup_by(|a, b| a.key_order(b) == std::cmp::Ordering::Equal);
    let digest = record.digest();
    (record, digest)
}
