//! The site's live canonicals grouped by advisory id, in id order, in
//! bounded memory.
//!
//! [`collect`](super::collect) writes each canonical's [`part`](super::part)
//! once to a payload file and, for each advisory id it belongs to, an index
//! entry `id 0 merge_hash 0 offset len` to an external sorter. Reading the
//! sorted index back yields the groups in the order a `BTreeMap<id, _>`
//! would, each group's canonicals in merge-hash order and once each, as
//! places in the payload file that [`Parts::read`] reads back on whichever
//! thread builds the record.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::Arc;

use super::OsvExportError;
use super::spill::Sorted;

/// An advisory id and where its canonicals' parts are in the payload
/// file, in merge-hash order.
#[derive(Default)]
pub struct Group {
    pub id: String,
    /// `(offset, length)` of each part.
    pub parts: Vec<(u64, u32)>,
}

/// A group's encoded parts read back, end to end in one buffer that the
/// next group reuses.
#[derive(Default)]
pub struct Parts {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Parts {
    /// Reads the parts of `group` from `payload` (see [`Groups::payload`]).
    pub fn read(&mut self, payload: &File, group: &Group) -> io::Result<()> {
        self.bytes.clear();
        self.ends.clear();
        for &(offset, len) in &group.parts {
            let start = self.bytes.len();
            self.bytes.resize(start + len as usize, 0);
            payload.read_exact_at(&mut self.bytes[start..], offset)?;
            self.ends.push(self.bytes.len());
        }
        Ok(())
    }

    /// The encoded parts, in merge-hash order.
    pub fn rows(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(start, end)| &self.bytes[start..*end])
    }
}

pub struct Groups {
    scratch: PathBuf,
    payload: Arc<File>,
    index: Sorted,
    /// The index entry that starts the next group, read ahead.
    pending: Option<Vec<u8>>,
    /// The merge hash of the group's last part, reused.
    last_hash: Vec<u8>,
    pub skipped: Vec<String>,
}

/// `id 0 merge_hash 0 offset len`: sorts by id, then merge hash.
pub(super) fn index_entry(id: &str, merge_hash: &str, offset: u64, len: usize) -> Vec<u8> {
    let mut entry = Vec::with_capacity(id.len() + merge_hash.len() + 14);
    entry.extend_from_slice(id.as_bytes());
    entry.push(0);
    entry.extend_from_slice(merge_hash.as_bytes());
    entry.push(0);
    entry.extend_from_slice(&offset.to_be_bytes());
    entry.extend_from_slice(&(len as u32).to_be_bytes());
    entry
}

/// An index entry's id, merge hash, payload offset and length.
type Fields<'a> = (&'a [u8], &'a [u8], u64, u32);

/// Reads back what [`index_entry`] wrote.
fn fields(entry: &[u8]) -> io::Result<Fields<'_>> {
    let cut = || io::Error::other("a spilled index entry is cut short");
    let (head, tail) = entry
        .split_at_checked(entry.len().wrapping_sub(12))
        .ok_or_else(cut)?;
    let mut names = head.splitn(3, |b| *b == 0);
    let (id, hash) = (
        names.next().unwrap_or_default(),
        names.next().unwrap_or_default(),
    );
    let (offset, len) = tail.split_at(8);
    let offset = u64::from_be_bytes(offset.try_into().map_err(|_| cut())?);
    let len = u32::from_be_bytes(len.try_into().map_err(|_| cut())?);
    Ok((id, hash, offset, len))
}

impl Groups {
    pub(super) fn new(
        scratch: PathBuf,
        payload: File,
        index: Sorted,
        skipped: Vec<String>,
    ) -> Groups {
        Groups {
            scratch,
            payload: Arc::new(payload),
            index,
            pending: None,
            last_hash: Vec::new(),
            skipped,
        }
    }

    /// The file the parts of every group are read from, shared with the
    /// threads that read them ([`Parts::read`]).
    pub fn payload(&self) -> Arc<File> {
        Arc::clone(&self.payload)
    }

    /// Fills `group` with the next advisory id and where its canonicals'
    /// parts are (each once); `false` at the end.
    pub fn next_group(&mut self, group: &mut Group) -> Result<bool, OsvExportError> {
        let Some(first) = self
            .pending
            .take()
            .map_or_else(|| self.entry(), |e| Ok(Some(e)))?
        else {
            return Ok(false);
        };
        let broken = OsvExportError::io(&self.scratch);
        let (id, hash, offset, len) = fields(&first).map_err(broken)?;
        group.id.clear();
        group.id.push_str(&String::from_utf8_lossy(id));
        group.parts.clear();
        group.parts.push((offset, len));
        self.last_hash.clear();
        self.last_hash.extend_from_slice(hash);
        while let Some(entry) = self.entry()? {
            let (next_id, hash, offset, len) =
                fields(&entry).map_err(OsvExportError::io(&self.scratch))?;
            if next_id != id {
                self.pending = Some(entry);
                break;
            }
            if hash != self.last_hash.as_slice() {
                group.parts.push((offset, len));
                self.last_hash.clear();
                self.last_hash.extend_from_slice(hash);
            }
        }
        Ok(true)
    }

    fn entry(&mut self) -> Result<Option<Vec<u8>>, OsvExportError> {
        self.index
            .next()
            .transpose()
            .map_err(OsvExportError::io(&self.scratch))
    }
}
