//! A fully checked bundle on disk and its rows. [`SpooledBundle::records`]
//! merge-joins `canonicals.ndjson` with `edges.ndjson` (edges are grouped by
//! canonical in canonical order), holding one canonical and its edges at a
//! time. An edge that names a canonical that never comes, or comes out of
//! order, is only known as such once the canonicals run out, so that error
//! arrives after the records before it: callers apply inside a transaction
//! dropped on any error (import). (`validate` makes the same checks without
//! spooling: `check.rs`.)

use std::fmt;
use std::path::{Path, PathBuf};

use super::rows::{LineReader, check_canonical, check_deletion, check_edge};
use super::seen::Seen;
use super::{BundleError, Manifest, Member};
use crate::model::{Canonical, CanonicalRecord, Deletion, RecordDigest, SourceEdge};

pub struct SpooledBundle {
    manifest: Manifest,
    manifest_sha256: String,
    bundle_hash: String,
    signer_key_id: Option<String>,
    compressed_size: u64,
    dir: Option<PathBuf>,
    /// Caps of one line and of one JSON string in it.
    max_line: u64,
    max_field: u64,
}

impl SpooledBundle {
    pub(crate) fn new(
        manifest: Manifest,
        manifest_sha256: String,
        bundle_hash: String,
        signer_key_id: Option<String>,
        compressed_size: u64,
        (max_line, max_field): (u64, u64),
    ) -> Self {
        Self {
            manifest,
            manifest_sha256,
            bundle_hash,
            signer_key_id,
            compressed_size,
            dir: None,
            max_line,
            max_field,
        }
    }

    /// The same bundle, its NDJSON members spooled in `dir` (if given).
    pub(crate) fn kept_in(self, dir: Option<&Path>) -> Self {
        let dir = dir.map(Path::to_path_buf);
        Self { dir, ..self }
    }

    /// `sha256:<hex>` of the compressed bytes as transferred.
    pub fn bundle_hash(&self) -> &str {
        &self.bundle_hash
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn manifest_sha256(&self) -> &str {
        &self.manifest_sha256
    }

    pub fn signer_key_id(&self) -> Option<&str> {
        self.signer_key_id.as_deref()
    }

    pub fn compressed_size(&self) -> u64 {
        self.compressed_size
    }

    fn reader(&self, member: Member) -> Result<LineReader, BundleError> {
        let dir = self.dir.as_deref().ok_or(BundleError::NotSpooled)?;
        LineReader::open(dir, member, self.max_line, self.max_field)
    }

    /// Each canonical with its edges, in bundle order.
    pub fn records(
        &self,
    ) -> Result<impl Iterator<Item = Result<CanonicalRecord, BundleError>> + use<>, BundleError>
    {
        Ok(self.rows(false)?.map(|row| row.map(|(record, _)| record)))
    }

    /// [`Self::records`], each with its [`CanonicalRecord::digest`], taken
    /// from the rows' bytes as they are read (no serialization again).
    pub fn digested_records(
        &self,
    ) -> Result<
        impl Iterator<Item = Result<(CanonicalRecord, String), BundleError>> + use<>,
        BundleError,
    > {
        Ok(self
            .rows(true)?
            .map(|row| row.map(|(record, digest)| (record, digest.unwrap_or_default()))))
    }

    fn rows(&self, digests: bool) -> Result<RecordIter, BundleError> {
        let canonicals = self.reader(Member::Canonicals)?;
        let edges = self.reader(Member::Edges)?;
        let dir = self.dir.as_deref().ok_or(BundleError::NotSpooled)?;
        Ok(RecordIter {
            canonicals,
            edges,
            seen: Some(Seen::new(dir)),
            pending: None,
            digests,
            done: false,
        })
    }

    pub fn deletions(
        &self,
    ) -> Result<impl Iterator<Item = Result<Deletion, BundleError>> + use<>, BundleError> {
        let mut rows = self.reader(Member::Deletions)?;
        let mut done = false;
        Ok(std::iter::from_fn(move || {
            if done {
                return None;
            }
            let item = rows.next_row::<Deletion>().and_then(|row| match row {
                Some((line, d)) => check_deletion(line, &d).map(|()| Some(d)),
                None => Ok(None),
            });
            done = !matches!(item, Ok(Some(_)));
            item.transpose()
        }))
    }
}

struct RecordIter {
    canonicals: LineReader,
    edges: LineReader,
    /// Merge hashes met so far: a bundle lists each canonical once (known
    /// for sure only once the canonicals run out).
    seen: Option<Seen>,
    /// An edge read ahead that belongs to a later canonical. Its bytes stay
    /// the edge reader's last row until it is taken: nothing reads edges
    /// before that.
    pending: Option<(u64, SourceEdge)>,
    /// Whether each record comes with its digest.
    digests: bool,
    done: bool,
}

impl RecordIter {
    fn next_edge(&mut self) -> Result<Option<(u64, SourceEdge)>, BundleError> {
        match self.pending.take() {
            Some(edge) => Ok(Some(edge)),
            None => self.edges.next_row(),
        }
    }

    fn step(&mut self) -> Result<Option<(CanonicalRecord, Option<String>)>, BundleError> {
        let Some((line, canonical)) = self.canonicals.next_row::<Canonical>()? else {
            if let Some((merge_hash, line)) =
                self.seen.take().map(Seen::finish).transpose()?.flatten()
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
        if let Some(seen) = self.seen.as_mut() {
            seen.insert(&canonical.merge_hash, line)?;
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

impl fmt::Debug for SpooledBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpooledBundle")
            .field("bundle_hash", &self.bundle_hash)
            .field("manifest_sha256", &self.manifest_sha256)
            .field("signer_key_id", &self.signer_key_id)
            .field("compressed_size", &self.compressed_size)
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}
