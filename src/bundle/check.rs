//! The row checks of a spooled bundle's records (`records.rs`), made on rows
//! as they stream out of the decoder, for `validate`: nothing is written to
//! disk but each canonical's id and merge hash (48 bytes, in bundle order, so
//! the edges can be joined to them) and the duplicate finder's runs.
//!
//! Invariants:
//! - The same bundles are refused as by reading the records, with the same
//!   error for a bundle with one fault. A row goes through the scanner
//!   (`scan.rs`) and the checks on what it picked out; any doubt sends the
//!   row to the reference path, which decides and words the error.
//! - Memory is bounded by one row and one canonical's edge keys, whatever
//!   the bundle's size.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use uuid::Uuid;

use super::manifest::is_sha256_tag;
use super::rows::{check_canonical, check_deletion, check_edge, is_advisory_key, parse_row};
use super::seen::{Seen, scratch_error};
use super::{BundleError, Member, scan};
use crate::model::{Canonical, Deletion, SourceEdge, canonical_id};

pub(crate) struct RowCheck {
    max_field: u64,
    /// Scratch space of the reference path.
    again: Vec<u8>,
    seen: Seen,
    order: Order,
    /// The canonical whose edges come now, and the keys of those met so far.
    current: Option<(Uuid, HashText)>,
    group: Group,
}

impl RowCheck {
    pub(crate) fn new(scratch: &Path, max_field: u64) -> Result<Self, BundleError> {
        Ok(Self {
            max_field,
            again: Vec::new(),
            seen: Seen::new(scratch),
            order: Order::create(scratch.join("order"))?,
            current: None,
            group: Group::default(),
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
        match self.seen.finish()? {
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
        let fast = scan::canonical(body).and_then(|k| {
            let digest = digest_of(k.merge_hash)?;
            let fine = short && is_advisory_key(k.cve) && k.id == canonical_id(k.merge_hash);
            fine.then_some((k.id, digest))
        });
        if let Some((id, digest)) = fast {
            return self.note_canonical(line, id, digest);
        }
        let c: Canonical = self.reference(Member::Canonicals, line, body)?;
        check_canonical(line, &c)?;
        let digest = digest_of(&c.merge_hash).ok_or_else(|| BundleError::BadMergeHash {
            path: Member::Canonicals.path(),
            line,
            value: c.merge_hash.clone(),
        })?;
        self.note_canonical(line, c.id, digest)
    }

    fn note_canonical(&mut self, line: u64, id: Uuid, digest: [u8; 32]) -> Result<(), BundleError> {
        self.seen.insert_digest(digest, line)?;
        self.order.push(id, &digest)
    }

    fn edge(&mut self, line: u64, body: &[u8], short: bool) -> Result<(), BundleError> {
        if let Some(keys) = scan::edge(body).filter(|_| short) {
            self.join(line, keys.canonical_id)?;
            // The current canonical's merge hash is a checked tag.
            let fine = self.current_hash() == keys.merge_hash
                && !self.in_group(keys.source, keys.source_advisory_id);
            if fine {
                self.group.push(keys.source, keys.source_advisory_id);
                return Ok(());
            }
        }
        let edge: SourceEdge = self.reference(Member::Edges, line, body)?;
        self.join(line, edge.canonical_id)?;
        let merge_hash = self.current_hash().to_owned();
        check_edge(line, &edge, &merge_hash)?;
        if self.in_group(&edge.source, &edge.source_advisory_id) {
            return Err(BundleError::DuplicateEdge {
                line,
                merge_hash,
                edge_source: edge.source,
                advisory: edge.source_advisory_id,
            });
        }
        self.group.push(&edge.source, &edge.source_advisory_id);
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

    fn in_group(&self, source: &str, advisory: &str) -> bool {
        self.group.contains(source, advisory)
    }

    fn deletion(&mut self, line: u64, body: &[u8], short: bool) -> Result<(), BundleError> {
        let fine = scan::deletion(body).is_some_and(|k| {
            short && is_sha256_tag(k.merge_hash) && k.canonical_id == canonical_id(k.merge_hash)
        });
        if !fine {
            let d: Deletion = self.reference(Member::Deletions, line, body)?;
            check_deletion(line, &d)?;
        }
        Ok(())
    }
}

/// The digest a `sha256:<hex>` tag spells; `None` for anything else.
fn digest_of(merge_hash: &str) -> Option<[u8; 32]> {
    let mut digest = [0u8; 32];
    let hex = merge_hash.strip_prefix("sha256:")?;
    scan::lower_hex(hex.as_bytes(), &mut digest)?;
    Some(digest)
}

/// Each canonical's id and merge-hash digest, written in bundle order and
/// then read back once.
struct Order {
    path: PathBuf,
    out: Option<BufWriter<File>>,
    back: Option<BufReader<File>>,
}

impl Order {
    fn create(path: PathBuf) -> Result<Self, BundleError> {
        let file = File::create_new(&path).map_err(scratch_error(&path))?;
        Ok(Self {
            out: Some(BufWriter::new(file)),
            back: None,
            path,
        })
    }

    fn push(&mut self, id: Uuid, digest: &[u8; 32]) -> Result<(), BundleError> {
        let Some(out) = self.out.as_mut() else {
            return Err(scratch_error(&self.path)(io::Error::other(
                "written after its end",
            )));
        };
        out.write_all(id.as_bytes())
            .and_then(|()| out.write_all(digest))
            .map_err(scratch_error(&self.path))
    }

    fn rewind(&mut self) -> Result<(), BundleError> {
        if let Some(out) = self.out.take() {
            out.into_inner()
                .map_err(|e| scratch_error(&self.path)(e.into_error()))?;
        }
        let file = File::open(&self.path).map_err(scratch_error(&self.path))?;
        self.back = Some(BufReader::with_capacity(64 << 10, file));
        Ok(())
    }

    /// The next canonical, as its id and merge hash.
    fn next(&mut self) -> Result<Option<(Uuid, HashText)>, BundleError> {
        let Some(back) = self.back.as_mut() else {
            return Ok(None);
        };
        let mut record = [0u8; 48];
        match back.read_exact(&mut record) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(scratch_error(&self.path)(e)),
        }
        let (id, digest) = record.split_at(16);
        let id = Uuid::from_slice(id).unwrap_or_default();
        Ok(Some((id, HashText::new(digest))))
    }
}

/// The file goes with the check, whatever its verdict.
impl Drop for Order {
    fn drop(&mut self) {
        self.out = None;
        self.back = None;
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A merge hash spelled `sha256:<hex>`, without an allocation.
struct HashText([u8; 71]);

impl HashText {
    fn new(digest: &[u8]) -> Self {
        let mut text = [0u8; 71];
        let (tag, hex) = text.split_at_mut(7);
        tag.copy_from_slice(b"sha256:");
        // 32 bytes always fill the 64 hex digits.
        let _ = hex::encode_to_slice(digest, hex);
        Self(text)
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// The (source, advisory id) keys of one canonical's edges, in one buffer
/// reused from canonical to canonical.
#[derive(Default)]
struct Group {
    bytes: Vec<u8>,
    /// Where each key's source ends and its advisory id ends.
    ends: Vec<(usize, usize)>,
}

impl Group {
    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }

    fn push(&mut self, source: &str, advisory: &str) {
        self.bytes.extend_from_slice(source.as_bytes());
        let source_end = self.bytes.len();
        self.bytes.extend_from_slice(advisory.as_bytes());
        self.ends.push((source_end, self.bytes.len()));
    }

    fn contains(&self, source: &str, advisory: &str) -> bool {
        let mut start = 0;
        self.ends.iter().any(|&(source_end, end)| {
            let key = (
                self.bytes.get(start..source_end),
                self.bytes.get(source_end..end),
            );
            start = end;
            key == (Some(source.as_bytes()), Some(advisory.as_bytes()))
        })
    }
}
