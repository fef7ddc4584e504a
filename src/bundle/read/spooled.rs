//! A checked bundle whose NDJSON members were kept on disk, and its rows.
//! [`SpooledBundle::records`] merge-joins `canonicals.ndjson` with
//! `edges.ndjson` (`records.rs`), holding one canonical and its edges at a
//! time. An edge that names a canonical that never comes, or comes out of
//! order, is only known as such once the canonicals run out, so that error
//! arrives after the records before it: callers apply inside a transaction
//! dropped on any error (import). (`validate` makes the same checks without
//! spooling: `rows/check.rs`.)
//!
//! Invariant: a [`SpooledBundle`] is only made by `VerifiedBundle::spool`,
//! after every byte of every member was held to the signed manifest.

use std::fmt;
use std::path::{Path, PathBuf};

use super::checked::CheckedBundle;
use super::records::RecordIter;
use crate::bundle::error::BundleError;
use crate::bundle::format::manifest::Manifest;
use crate::bundle::format::members::Member;
use crate::bundle::rows::check_deletion;
use crate::bundle::rows::reader::LineReader;
use crate::model::{CanonicalRecord, Deletion};

pub struct SpooledBundle {
    checked: CheckedBundle,
    dir: PathBuf,
}

impl SpooledBundle {
    pub(super) fn new(checked: CheckedBundle, dir: &Path) -> Self {
        let dir = dir.to_path_buf();
        Self { checked, dir }
    }

    /// What the reading learnt, without the rows.
    pub fn checked(&self) -> &CheckedBundle {
        &self.checked
    }

    /// `sha256:<hex>` of the compressed bytes as transferred.
    pub fn bundle_hash(&self) -> &str {
        self.checked.bundle_hash()
    }

    pub fn manifest(&self) -> &Manifest {
        self.checked.manifest()
    }

    pub fn manifest_sha256(&self) -> &str {
        self.checked.manifest_sha256()
    }

    pub fn signer_key_id(&self) -> Option<&str> {
        self.checked.signer_key_id()
    }

    pub fn compressed_size(&self) -> u64 {
        self.checked.compressed_size()
    }

    fn reader(&self, member: Member) -> Result<LineReader, BundleError> {
        let (max_line, max_field) = self.checked.caps;
        LineReader::open(&self.dir, member, max_line, max_field)
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
        Ok(RecordIter::new(canonicals, edges, &self.dir, digests))
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

impl fmt::Debug for SpooledBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpooledBundle")
            .field("checked", &self.checked)
            .field("dir", &self.dir)
            .finish()
    }
}
