//! The records of a spooled bundle: each canonical of `canonicals.ndjson`
//! joined with its edges from `edges.ndjson` (grouped by canonical, in
//! canonical order), each row checked as it is read.
//!
//! Invariants: one canonical and its edges in memory at a time; a canonical
//! listed twice is found by [`Duplicates`] in bounded memory and reported
//! once the canonicals run out; the iterator ends after its first error.

use std::path::Path;

use crate::bundle::error::BundleError;
use crate::bundle::rows::duplicates::Duplicates;
use crate::bundle::rows::reader::LineReader;
use crate::bundle::rows::{check_canonical, check_edge};
use crate::model::{Canonical, CanonicalRecord, RecordDigest, SourceEdge};

pub(super) struct RecordIter {
    canonicals: LineReader,
    edges: LineReader,
    /// Merge hashes met so far: a bundle lists each canonical once (known
    /// for sure only once the canonicals run out).
    duplicates: Option<Duplicates>,
    /// An edge read ahead that belongs to a later canonical. Its bytes stay
    /// the edge reader's last row until it is taken: nothing reads edges
    /// before that.
    pending: Option<(u64, SourceEdge)>,
    /// Whether each record comes with its digest.
    digests: bool,
    done: bool,
}

impl RecordIter {
    pub(super) fn new(
        canonicals: LineReader,
        edges: LineReader,
        dir: &Path,
        digests: bool,
    ) -> Self {
        Self {
            canonicals,
            edges,
            duplicates: Some(Duplicates::new(dir)),
            pending: None,
            digests,
            done: false,
        }
    }

    fn next_edge(&mut self) -> Result<Option<(u64, SourceEdge)>, BundleError> {
        match self.pending.take() {
            Some(edge) => Ok(Some(edge)),
            None => self.edges.next_row(),
        }
    }

    fn step(&mut self) -> Result<Option<(CanonicalRecord, Option<String>)>, BundleError> {
        let Some((line, canonical)) = self.canonicals.next_row::<Canonical>()? else {
            if let Some((merge_hash, line)) = self
                .duplicates
                .take()
                .map(Duplicates::finish)
                .transpose()?
                .flatten()
            {
                return Err(BundleError::DuplicateCanonical { line, merge_hash });
            }
            return match self.next_edge()? {
                Some((line, edge)) => Err(BundleError::EdgeOutOfOrder {
                    line,
                    canonical_id: edge.canonical_id.to_string(),
                }),
                None => Ok(None),
            };
        };
        check_canonical(line, &canonical)?;
        let mut digest = self
            .digests
            .then(|| RecordDigest::new(self.canonicals.last_row_bytes()));
        if let Some(duplicates) = self.duplicates.as_mut() {
            duplicates.insert(&canonical.merge_hash, line)?;
        }
        let mut edges = Vec::new();
        while let Some((line, edge)) = self.next_edge()? {
            if edge.canonical_id != canonical.id {
                self.pending = Some((line, edge));
                break;
            }
            check_edge(line, &edge, &canonical.merge_hash)?;
            if edges.iter().any(|e: &SourceEdge| e.same_key(&edge)) {
                return Err(BundleError::DuplicateEdge {
                    line,
                    merge_hash: canonical.merge_hash,
                    edge_source: edge.source,
                    advisory: edge.source_advisory_id,
                });
            }
            if let Some(digest) = digest.as_mut() {
                digest.edge(self.edges.last_row_bytes());
            }
            edges.push(edge);
        }
        let digest = digest.map(RecordDigest::finish);
        Ok(Some((CanonicalRecord { canonical, edges }, digest)))
    }
}

impl Iterator for RecordIter {
    type Item = Result<(CanonicalRecord, Option<String>), BundleError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.step();
        self.done = !matches!(item, Ok(Some(_)));
        item.transpose()
    }
}
