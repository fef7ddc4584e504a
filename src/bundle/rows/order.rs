//! What the streaming row checks set aside: each canonical's id and merge
//! hash in bundle order ([`Order`], a scratch file of 48-byte records, read
//! back once while the edges stream), the current canonical's merge hash as
//! text ([`HashText`]) and the keys of its edges met so far ([`Group`]).
//!
//! Invariant: memory does not grow with the bundle: one record at a time,
//! and one canonical's edge keys in one reused buffer.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

use uuid::Uuid;

use super::duplicates::scratch_error;
use crate::bundle::error::BundleError;

/// Each canonical's id and merge-hash digest, written in bundle order and
/// then read back once.
pub(super) struct Order {
    path: PathBuf,
    out: Option<BufWriter<File>>,
    back: Option<BufReader<File>>,
}

impl Order {
    pub(super) fn create(path: PathBuf) -> Result<Self, BundleError> {
        let file = File::create_new(&path).map_err(scratch_error(&path))?;
        Ok(Self {
            out: Some(BufWriter::new(file)),
            back: None,
            path,
        })
    }

    pub(super) fn push(&mut self, id: Uuid, digest: &[u8; 32]) -> Result<(), BundleError> {
        let Some(out) = self.out.as_mut() else {
            return Err(scratch_error(&self.path)(io::Error::other(
                "written after its end",
            )));
        };
        out.write_all(id.as_bytes())
            .and_then(|()| out.write_all(digest))
            .map_err(scratch_error(&self.path))
    }

    pub(super) fn rewind(&mut self) -> Result<(), BundleError> {
        if let Some(out) = self.out.take() {
            out.into_inner()
                .map_err(|e| scratch_error(&self.path)(e.into_error()))?;
        }
        let file = File::open(&self.path).map_err(scratch_error(&self.path))?;
        self.back = Some(BufReader::with_capacity(64 << 10, file));
        Ok(())
    }

    /// The next canonical, as its id and merge hash.
    pub(super) fn next(&mut self) -> Result<Option<(Uuid, HashText)>, BundleError> {
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
pub(super) struct HashText([u8; 71]);

impl HashText {
    pub(super) fn new(digest: &[u8]) -> Self {
        let mut text = [0u8; 71];
        let (tag, hex) = text.split_at_mut(7);
        tag.copy_from_slice(b"sha256:");
        // 32 bytes always fill the 64 hex digits.
        let _ = hex::encode_to_slice(digest, hex);
        Self(text)
    }

    pub(super) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    pub(super) fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// The (source, advisory id) keys of one canonical's edges, in one buffer
/// reused from canonical to canonical.
#[derive(Default)]
pub(super) struct Group {
    bytes: Vec<u8>,
    /// Where each key's source ends and its advisory id ends.
    ends: Vec<(usize, usize)>,
}

impl Group {
    pub(super) fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }

    pub(super) fn push(&mut self, source: &[u8], advisory: &[u8]) {
        self.bytes.extend_from_slice(source);
        let source_end = self.bytes.len();
        self.bytes.extend_from_slice(advisory);
        self.ends.push((source_end, self.bytes.len()));
    }

    pub(super) fn contains(&self, source: &[u8], advisory: &[u8]) -> bool {
        let mut start = 0;
        self.ends.iter().any(|&(source_end, end)| {
            let key = (
                self.bytes.get(start..source_end),
                self.bytes.get(source_end..end),
            );
            start = end;
            key == (Some(source), Some(advisory))
        })
    }
}
