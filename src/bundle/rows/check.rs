//! The row checks of a spooled bundle's records (`read/records.rs`), made on rows
//! as they stream out of the decoder, for `validate`: nothing is written to
//! disk but each canonical's id and merge hash (48 bytes, in bundle order, so
//! the edges can be joined to them) and the duplicate finder's runs.
//!
//! Invariants:
//! - The same bundles are refused as by reading the records, with the same
//!   error for a bundle with one fault. A row goes through the scanner
//!   (`scan.rs`) and the checks on what it picked out, its merge hash
//!   recomputed (`identity.rs`); any doubt sends the row to the reference
//!   path, which decides and words the error.
//! - Memory is bounded by one row and one canonical's edge keys, whatever
//!   the bundle's size.

use std::path::Path;

use uuid::Uuid;

use super::duplicates::Duplicates;
use super::identity::Identity;
use super::order::{Group, HashText, Order};
use super::reader::{check_canonical, check_deletion, check_edge, is_advisory_key, parse_row};
use super::scan;
use crate::bundle::error::{BundleError, MAX_KEY_BYTES};
use crate::bundle::format::members::Member;
use crate::bundle::format::tag::{is_sha256_tag, tag_digest};
use crate::model::{Canonical, Deletion, SourceEdge, canonical_id};

pub(crate) struct RowCheck {
    max_field: u64,
    /// Scratch space of the reference path.
    again: Vec<u8>,
    duplicates: Duplicates,
    order: Order,
    /// The canonical whose edges come now, and the keys of those met so far.
    current: Option<(Uuid, HashText)>,
    group: Group,
    /// Scratch space of the merge-hash check.
    identity: Identity,
}

impl RowCheck {
    pub(crate) fn new(scratch: &Path, max_field: u64) -> Result<Self, BundleError> {
        Ok(Self {
            max_field,
            again: Vec::new(),
            duplicates: Duplicates::new(scratch),
            order: Order::create(scratch.join("order"))?,
            current: None,
            group: Group::default(),
            identity: Identity::default(),
        })
    }

    /// Checks the row at 1-based `line` of `member` (without its newline).
    pub(crate) fn row(
        &mut self,
        member: Member,
        line: u64,
        body: &[u8],
    ) -> Result<(), BundleError> {
        // A row within the field cap cannot hold a string over it.
        let short = body.len() as u64 <= self.max_field;
        match member {
            Member::Canonicals => self.canonical(line, body, short),
            Member::Edges => self.edge(line, body, short),
            Member::Deletions => self.deletion(line, body, short),
        }
    }

    /// The end of `member`'s rows.
    pub(crate) fn end(&mut self, member: Member) -> Result<(), BundleError> {
        match member {
            Member::Canonicals => self.order.rewind(),
            Member::Edges | Member::Deletions => Ok(()),
        }
    }

    /// The verdicts known only once every row is read.
    pub(crate) fn finish(self) -> Result<(), BundleError> {
        match self.duplicates.finish()? {
            Some((merge_hash, line)) => Err(BundleError::DuplicateCanonical { line, merge_hash }),
            None => Ok(()),
        }
    }

    fn reference<T: serde::de::DeserializeOwned + serde::Serialize>(
        &mut self,
        member: Member,
        line: u64,
        body: &[u8],
    ) -> Result<T, BundleError> {
        parse_row(member.path(), line, body, self.max_field, &mut self.again)
    }

    fn canonical(&mut self, line: u64, body: &[u8], short: bool) -> Result<(), BundleError> {
        // A merge hash whose digits decode is a `sha256:<hex>` tag.
        let identity = &mut self.identity;
        let read = scan::canonical_with(body, |s| identity.read_ranges(s));
        let fast = read.and_then(|k| {
            let digest = tag_digest(k.merge_hash)?;
            let (cve, merge_hash) = (text(k.cve)?, text(k.merge_hash)?);
            let fine = short
                && is_advisory_key(cve)
                && k.affects_key.len() <= MAX_KEY_BYTES
                && k.id == canonical_id(merge_hash)
                && identity.digest_read(&k)? == digest;
            fine.then_some((k.id, digest))
        });
        if let Some((id, digest)) = fast {
            return self.note_canonical(line, id, digest);
        }
        let c: Canonical = self.reference(Member::Canonicals, line, body)?;
        check_canonical(line, &c)?;
        let digest =
            tag_digest(c.merge_hash.as_bytes()).ok_or_else(|| BundleError::BadMergeHash {
                path: Member::Canonicals.path(),
                line,
                value: c.merge_hash.clone(),
            })?;
        self.note_canonical(line, c.id, digest)
    }

    fn note_canonical(&mut self, line: u64, id: Uuid, digest: [u8; 32]) -> Result<(), BundleError> {
        self.duplicates.insert_digest(digest, line)?;
        self.order.push(id, &digest)
    }

    fn edge(&mut self, line: u64, body: &[u8], short: bool) -> Result<(), BundleError> {
        if let Some(keys) = scan::edge(body).filter(|_| short) {
            self.join(line, keys.canonical_id)?;
            // The current canonical's merge hash is a checked tag.
            let fine = self.current_hash_bytes() == keys.merge_hash
                && keys.source.len() <= MAX_KEY_BYTES
                && keys.source_advisory_id.len() <= MAX_KEY_BYTES
                && !self.group.contains(keys.source, keys.source_advisory_id);
            if fine {
                self.group.push(keys.source, keys.source_advisory_id);
                return Ok(());
            }
        }
        let edge: SourceEdge = self.reference(Member::Edges, line, body)?;
        self.join(line, edge.canonical_id)?;
        let merge_hash = self.current_hash().to_owned();
        check_edge(line, &edge, &merge_hash)?;
        if (self.group).contains(edge.source.as_bytes(), edge.source_advisory_id.as_bytes()) {
            return Err(BundleError::DuplicateEdge {
                line,
                merge_hash,
                edge_source: edge.source,
                advisory: edge.source_advisory_id,
            });
        }
        (self.group).push(edge.source.as_bytes(), edge.source_advisory_id.as_bytes());
        Ok(())
    }

    /// Moves to the canonical `id` names, at or after the current one: the
    /// edges come grouped by canonical, in canonical order.
    fn join(&mut self, line: u64, id: Uuid) -> Result<(), BundleError> {
        while self
            .current
            .as_ref()
            .is_none_or(|(current, _)| *current != id)
        {
            self.group.clear();
            self.current = self.order.next()?;
            if self.current.is_none() {
                return Err(BundleError::EdgeOutOfOrder {
                    line,
                    canonical_id: id.to_string(),
                });
            }
        }
        Ok(())
    }

    fn current_hash(&self) -> &str {
        self.current.as_ref().map_or("", |(_, hash)| hash.as_str())
    }

    /// [`Self::current_hash`]'s bytes, without checking them again for
    /// UTF-8 (the fast path asks for them on every edge).
    fn current_hash_bytes(&self) -> &[u8] {
        self.current
            .as_ref()
            .map_or(&[], |(_, hash)| hash.as_bytes())
    }

    fn deletion(&mut self, line: u64, body: &[u8], short: bool) -> Result<(), BundleError> {
        let fine = scan::deletion(body).and_then(|k| {
            let merge_hash = text(k.merge_hash)?;
            let fine = is_sha256_tag(merge_hash) && k.canonical_id == canonical_id(merge_hash);
            (short && fine).then_some(())
        });
        if fine.is_none() {
            let d: Deletion = self.reference(Member::Deletions, line, body)?;
            check_deletion(line, &d)?;
        }
        Ok(())
    }
}

/// A field the scanner picked out (UTF-8 already) as text.
fn text(field: &[u8]) -> Option<&str> {
    std::str::from_utf8(field).ok()
}
