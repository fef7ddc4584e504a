//! The site's live canonicals grouped by advisory id, in id order, in
//! bounded memory.
//!
//! [`collect`](super::collect) encodes each canonical's [`part`](super::part);
//! [`Gather`] writes it once to a payload file and, for each advisory id it
//! belongs to, an index entry `id 0 hash offset len` ([`index_entry`]) to
//! an external sorter. Reading the sorted index back yields the groups in the order a `BTreeMap<id, _>`
//! would, each group's canonicals in merge-hash order and once each, as
//! places in the payload file that [`Parts::load`] reads back on whichever
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
/// to end; their merge hashes as the index holds them ([`hash_key`]) in
/// `keys`; their advisory ids in `text`, each id's place in `id_places`;
/// and per part its length, the place of its hash in `keys` and the range
/// of `id_places` of its ids.
pub(super) struct Encoded {
    pub parts: Vec<u8>,
    pub keys: Vec<u8>,
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

/// The encoded parts of a batch of groups read back, each once, into one
/// buffer that the next batch reuses.
#[derive(Default)]
pub struct Parts {
    bytes: Vec<u8>,
    /// Each part's payload offset and where it starts in `bytes`, by offset.
    places: Vec<(u64, usize)>,
    /// The parts asked for, sorted (scratch).
    wanted: Vec<(u64, u32)>,
}

/// Parts this close together in the payload are read in one call, the
/// bytes between them with them: one read of a few KiB costs less than two
/// calls. Canonicals written one after the other (a feed's neighbours,
/// which often share an advisory's ids) are read together.
const GAP: u64 = 4 << 10;

impl Parts {
    /// Reads the parts of every group of `groups` from `payload` (see
    /// [`Groups::payload`]), in payload order, for [`Self::decoded`].
    pub fn load(&mut self, payload: &File, groups: &[Group]) -> io::Result<()> {
        let wanted = &mut self.wanted;
        wanted.clear();
        wanted.extend(groups.iter().flat_map(|g| g.parts.iter().copied()));
        wanted.sort_unstable();
        wanted.dedup();
        self.bytes.clear();
        self.places.clear();
        let mut rest = &wanted[..];
        while let [(start, len), ..] = rest {
            let (start, mut end, mut n) = (*start, *start + u64::from(*len), 1);
            while let Some(&(offset, len)) = rest.get(n).filter(|p| p.0 <= end + GAP) {
                end = end.max(offset + u64::from(len));
                n += 1;
            }
            let base = self.bytes.len();
            let size = usize::try_from(end - start).map_err(io::Error::other)?;
            self.bytes.resize(base + size, 0);
            payload.read_exact_at(&mut self.bytes[base..], start)?;
            let places = rest[..n]
                .iter()
                .map(|p| (p.0, base + (p.0 - start) as usize));
            self.places.extend(places);
            rest = &rest[n..];
        }
        Ok(())
    }

    /// The parts of `group`, loaded by [`Self::load`], decoded, in
    /// merge-hash order.
    pub fn decoded(&self, group: &Group) -> io::Result<Vec<Part<'_>>> {
        let unloaded = || io::Error::other("a part of the export's scratch file was not read");
        group
            .parts
            .iter()
            .map(|&(offset, len)| {
                let at = self.places.binary_search_by_key(&offset, |p| p.0);
                let start = self.places[at.map_err(|_| unloaded())?].1;
                Part::decode(&self.bytes[start..start + len as usize])
            })
            .collect()
    }

    /// Reads and decodes the parts of one group.
    pub fn read(&mut self, payload: &File, group: &Group) -> io::Result<Vec<Part<'_>>> {
        self.load(payload, std::slice::from_ref(group))?;
        self.decoded(group)
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
        for (len, key, ids) in batch.entries {
            let key = &batch.keys[key];
            for place in &batch.id_places[ids] {
                let id = &batch.text[place.clone()];
                if super::safe_file_name(id) {
                    let offset = self.offset;
                    let entry = |e: &mut Vec<u8>| index_entry(e, id, key, offset, len);
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

/// A merge hash as the index holds it, appended to `out`: its 32 digest
/// bytes after a 1 (about half the bytes of its 71-byte tag, in the same
/// order: the tag's hex is lowercase and fixed in length), or, for any
/// other spelling, its text after a 2. Made once per canonical, on the
/// thread that encodes it, whatever the number of its ids.
pub(super) fn hash_key(merge_hash: &str, out: &mut Vec<u8>) {
    match crate::bundle::tag_digest(merge_hash.as_bytes()) {
        Some(digest) => {
            out.push(1);
            out.extend_from_slice(&digest);
        }
        None => {
            out.push(2);
            out.extend_from_slice(merge_hash.as_bytes());
        }
    }
}

/// `id 0 hash offset len`, at the end of `entry`, where `hash` is a
/// [`hash_key`]: sorts by id, then merge hash.
fn index_entry(entry: &mut Vec<u8>, id: &str, hash: &[u8], offset: u64, len: usize) {
    entry.extend_from_slice(id.as_bytes());
    entry.push(0);
    entry.extend_from_slice(hash);
    entry.extend_from_slice(&offset.to_be_bytes());
    entry.extend_from_slice(&(len as u32).to_be_bytes());
}

/// An index entry's id, merge hash (as [`index_entry`] wrote it), payload
/// offset and length.
type Fields<'a> = (&'a [u8], &'a [u8], u64, u32);

/// Reads back what [`index_entry`] wrote. An id is a safe file name, so
/// it holds no 0 byte.
fn fields(entry: &[u8]) -> io::Result<Fields<'_>> {
    let cut = || io::Error::other("a spilled index entry is cut short");
    let (head, tail) = entry
        .split_at_checked(entry.len().wrapping_sub(12))
        .ok_or_else(cut)?;
    let nul = head.iter().position(|b| *b == 0).ok_or_else(cut)?;
    let (id, hash) = (&head[..nul], &head[nul + 1..]);
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
    /// threads that read them ([`Parts::load`]).
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

#[cfg(test)]
#[path = "groups_tests.rs"]
mod tests;
