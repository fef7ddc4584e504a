//! The site's live canonicals grouped by advisory id, in id order, in
//! bounded memory.
//!
//! [`collect`](super::collect) encodes each canonical's [`part`](super::part);
//! [`Gather`] writes it once to a payload file and, for each advisory id it
//! belongs to, an index entry `id 0 merge_hash 0 offset len` to an
//! external sorter. Reading the
//! sorted index back yields the groups in the order a `BTreeMap<id, _>`
//! would, each group's canonicals in merge-hash order and once each, as
//! places in the payload file that [`Parts::read`] reads back on whichever
//! thread builds the record.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::Receiver;

use super::OsvExportError;
use super::part::Part;
use super::spill::{Sorted, Sorter};

/// A batch of canonicals encoded, in buffers of the batch (so that the
/// thread gathering it frees no allocation per canonical): their parts end
/// to end; their merge hashes and advisory ids in `text`, each id's place
/// in `id_places`; and per part its length, the place of its merge hash
/// and the range of `id_places` of its ids.
pub(super) struct Encoded {
    pub parts: Vec<u8>,
    pub text: String,
    pub id_places: Vec<Range<usize>>,
    pub entries: Vec<(usize, Range<usize>, Range<usize>)>,
}
/// A batch's place in read order, and its parts (or why it failed).
pub(super) type Done = (u64, Result<Encoded, OsvExportError>);

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
    /// Reads the parts of `group` from `payload` (see [`Groups::payload`])
    /// and decodes them, in merge-hash order.
    pub fn read(&mut self, payload: &File, group: &Group) -> io::Result<Vec<Part<'_>>> {
        self.bytes.clear();
        self.ends.clear();
        for &(offset, len) in &group.parts {
            let start = self.bytes.len();
            self.bytes.resize(start + len as usize, 0);
            payload.read_exact_at(&mut self.bytes[start..], offset)?;
            self.ends.push(self.bytes.len());
        }
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(start, end)| Part::decode(&self.bytes[start..*end]))
            .collect()
    }
}

pub struct Groups {
    scratch: PathBuf,
    payload: Arc<File>,
    index: Sorted,
    /// The index entry that starts the group being read.
    first: Vec<u8>,
    /// The index entry read ahead, which starts the next group when
    /// `pending`.
    ahead: Vec<u8>,
    pending: bool,
    /// The merge hash of the group's last part, reused.
    last_hash: Vec<u8>,
    pub skipped: Vec<String>,
}

/// What the encoded batches are gathered into: the payload file, the
/// index and the skipped ids. An id that is no safe file name is never
/// indexed, only reported in `skipped`.
pub(super) struct Gather {
    payload: BufWriter<File>,
    offset: u64,
    sorter: Sorter,
    skipped: BTreeSet<String>,
    scratch: std::path::PathBuf,
}

impl Gather {
    pub(super) fn new(payload: File, scratch: &Path, budget: usize) -> Gather {
        Gather {
            payload: BufWriter::new(payload),
            offset: 0,
            sorter: Sorter::new(budget, scratch),
            skipped: BTreeSet::new(),
            scratch: scratch.to_owned(),
        }
    }

    /// Takes every encoded batch, in sequence order.
    pub(super) fn all_of(mut self, done: &Receiver<Done>) -> Result<Gather, OsvExportError> {
        super::pipe::in_order(done, |batch| {
            let add = self.add(batch?);
            add.map_err(OsvExportError::io(&self.scratch))
        })?;
        Ok(self)
    }

    fn add(&mut self, batch: Encoded) -> io::Result<()> {
        self.payload.write_all(&batch.parts)?;
        for (len, hash, ids) in batch.entries {
            let merge_hash = &batch.text[hash];
            for place in &batch.id_places[ids] {
                let id = &batch.text[place.clone()];
                if super::safe_file_name(id) {
                    let offset = self.offset;
                    let entry = |e: &mut Vec<u8>| index_entry(e, id, merge_hash, offset, len);
                    self.sorter.push_with(entry)?;
                } else if !self.skipped.contains(id) {
                    self.skipped.insert(id.to_owned());
                }
            }
            self.offset += len as u64;
        }
        Ok(())
    }

    pub(super) fn finish(self) -> io::Result<Groups> {
        let payload = self.payload.into_inner().map_err(|e| e.into_error())?;
        let index = self.sorter.finish()?;
        let skipped = self.skipped.into_iter().collect();
        Ok(Groups::new(self.scratch, payload, index, skipped))
    }
}

/// `id 0 merge_hash 0 offset len`, at the end of `entry`: sorts by id,
/// then merge hash.
fn index_entry(entry: &mut Vec<u8>, id: &str, merge_hash: &str, offset: u64, len: usize) {
    entry.extend_from_slice(id.as_bytes());
    entry.push(0);
    entry.extend_from_slice(merge_hash.as_bytes());
    entry.push(0);
    entry.extend_from_slice(&offset.to_be_bytes());
    entry.extend_from_slice(&(len as u32).to_be_bytes());
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
    fn new(scratch: PathBuf, payload: File, index: Sorted, skipped: Vec<String>) -> Groups {
        Groups {
            scratch,
            payload: Arc::new(payload),
            index,
            first: Vec::new(),
            ahead: Vec::new(),
            pending: false,
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
        let broken = || OsvExportError::io(&self.scratch);
        if self.pending {
            std::mem::swap(&mut self.first, &mut self.ahead);
            self.pending = false;
        } else if !self.index.next_into(&mut self.first).map_err(broken())? {
            return Ok(false);
        }
        let (id, hash, offset, len) = fields(&self.first).map_err(broken())?;
        group.id.clear();
        group.id.push_str(&String::from_utf8_lossy(id));
        group.parts.clear();
        group.parts.push((offset, len));
        self.last_hash.clear();
        self.last_hash.extend_from_slice(hash);
        while self.index.next_into(&mut self.ahead).map_err(broken())? {
            let (next_id, hash, offset, len) = fields(&self.ahead).map_err(broken())?;
            if next_id != id {
                self.pending = true;
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
}
