//! The site's live canonicals grouped by advisory id, in id order, in
//! bounded memory.
//!
//! One pass over the store's export lines (the bundle's stored bytes, read
//! in order, parsed here once) writes each canonical's [`part`]
//! once to a payload file and, for each advisory id it belongs to (its edges' ids, or
//! its key when it has no edge), an index entry `id 0 merge_hash 0 offset
//! len` to an external [`Sorter`]. Reading the sorted index back yields the
//! groups in the order a `BTreeMap<id, _>` would, each group's canonicals
//! in merge-hash order and once each, as places in the payload file that
//! [`Parts::read`] reads back on whichever thread builds the record.
//!
//! Invariant: an id that is no safe file name never reaches a group; it is
//! reported in `skipped` (sorted, once).

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::Arc;

use super::OsvExportError;
use super::part;
use super::spill::{Sorted, Sorter};
use crate::cursor::Cursor;
use crate::model::Canonical;
use crate::store::{ExportLines, Store};

/// Memory the index sort may hold before it spills. Tests set a tiny one
/// (`STELLA_TEST_SORT_BUDGET`) to run the spilling path on small stores.
fn sort_budget() -> usize {
    #[cfg(feature = "test-hooks")]
    if let Some(budget) = std::env::var("STELLA_TEST_SORT_BUDGET")
        .ok()
        .and_then(|b| b.parse().ok())
    {
        return budget;
    }
    32 << 20
}

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

/// Reads every live canonical up to `newest` and sorts them into groups.
/// Its scratch files go to `scratch` (beside the export, not in a small `/tmp`).
pub fn collect(
    store: &dyn Store,
    newest: Option<Cursor>,
    scratch: &std::path::Path,
) -> Result<Groups, OsvExportError> {
    let mut payload =
        BufWriter::new(tempfile::tempfile_in(scratch).map_err(OsvExportError::io(scratch))?);
    let mut sorter = Sorter::new(sort_budget(), scratch);
    let mut skipped = BTreeSet::new();
    let mut offset = 0u64;
    let mut line = Vec::new();
    if let Some(newest) = newest {
        let mut failed: Option<io::Error> = None;
        store.export_lines(None, newest.seq(), &mut |row| {
            let ExportLines::Canonical {
                cursor,
                line: stored,
                edges,
                ..
            } = row
            else {
                return Ok(());
            };
            let result = read_canonical(stored, edges).and_then(|(canonical, edge_ids)| {
                line.clear();
                part::encode(cursor, &canonical, &edge_ids, &mut line);
                let ids: BTreeSet<&str> = match edge_ids.is_empty() {
                    true => [canonical.cve.as_str()].into(),
                    false => edge_ids.iter().map(|id| id.as_ref()).collect(),
                };
                for id in ids {
                    if !super::safe_file_name(id) {
                        skipped.insert(id.to_owned());
                        continue;
                    }
                    sorter.push(index_entry(id, &canonical.merge_hash, offset, line.len()))?;
                }
                payload.write_all(&line)
            });
            offset += line.len() as u64;
            if let Err(e) = result {
                failed.get_or_insert(e);
            }
            Ok(())
        })?;
        if let Some(e) = failed {
            return Err(OsvExportError::io(scratch)(e));
        }
    }
    let payload = payload
        .into_inner()
        .map_err(|e| OsvExportError::io(scratch)(e.into_error()))?;
    Ok(Groups {
        scratch: scratch.to_owned(),
        payload: Arc::new(payload),
        index: sorter.finish().map_err(OsvExportError::io(scratch))?,
        pending: None,
        last_hash: Vec::new(),
        skipped: skipped.into_iter().collect(),
    })
}

/// An edge line as far as the export reads it.
#[derive(serde::Deserialize)]
struct EdgeLine<'a> {
    #[serde(borrow)]
    source_advisory_id: Cow<'a, str>,
}

/// A stored canonical line and its edges' advisory ids.
fn read_canonical<'a>(line: &[u8], edges: &'a [u8]) -> io::Result<(Canonical, Vec<Cow<'a, str>>)> {
    let canonical = serde_json::from_slice(line).map_err(io::Error::other)?;
    let ids = edges
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice::<EdgeLine>(l).map(|e| e.source_advisory_id))
        .collect::<Result<_, _>>()
        .map_err(io::Error::other)?;
    Ok((canonical, ids))
}

/// `id 0 merge_hash 0 offset len`: sorts by id, then merge hash.
fn index_entry(id: &str, merge_hash: &str, offset: u64, len: usize) -> Vec<u8> {
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
