//! The export's first pass: every live canonical read from the store,
//! parsed and encoded as a [`part`] on worker threads, and gathered into
//! the payload file and the index of [`groups`](super::groups).
//!
//! The caller's thread reads the store's stored lines (the bundle's bytes)
//! and hands them over in batches; the workers (one per core) parse each
//! canonical once and encode its part; a gatherer thread writes the parts
//! to the payload file and, for each advisory id a part belongs to (its
//! edges' ids, or its key when it has no edge), an index entry to the
//! external sorter.
//!
//! Invariants: the gatherer ([`Gather`]) takes batches in the order they
//! were read, so the payload and the index do not depend on timing; at
//! most a few batches per worker are in flight (bounded memory); the first
//! error stops the pass and is the one reported.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::io;
use std::ops::Range;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use super::groups::{Done, Encoded, Gather, Groups, hash_key};
use super::{OsvExportError, part};
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

/// Stored lines handed to a worker: each row's cursor and where its
/// canonical line and edge lines are in `bytes`.
#[derive(Default)]
struct Lines {
    bytes: Vec<u8>,
    rows: Vec<(Cursor, Range<usize>, Range<usize>)>,
}

/// Rows and bytes per batch, at most (one row more may carry it past).
const BATCH_ROWS: usize = 256;
const BATCH_BYTES: usize = 1 << 20;

/// Reads every live canonical up to `newest` and sorts them into groups.
/// Its scratch files go to `scratch` (beside the export, not in a small `/tmp`).
pub fn collect(
    store: &dyn Store,
    newest: Option<Cursor>,
    scratch: &Path,
) -> Result<Groups, OsvExportError> {
    let payload = tempfile::tempfile_in(scratch).map_err(OsvExportError::io(scratch))?;
    let mut gather = Gather::new(payload, scratch, sort_budget());
    if let Some(newest) = newest {
        gather = read_in_parallel(store, newest, gather)?;
    }
    gather.finish().map_err(OsvExportError::io(scratch))
}

fn read_in_parallel(
    store: &dyn Store,
    newest: Cursor,
    gather: Gather,
) -> Result<Gather, OsvExportError> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let (to_workers, batches) = sync_channel::<(u64, Lines)>(cores);
    let (to_gatherer, done) = sync_channel::<Done>(cores * 2);
    // Held by the workers only: once they all stop, the queue's receiver is
    // gone and the reader's next send fails instead of waiting.
    let batches = Arc::new(Mutex::new(batches));
    std::thread::scope(|scope| {
        for _ in 0..cores {
            let (batches, to_gatherer) = (Arc::clone(&batches), to_gatherer.clone());
            scope.spawn(move || encode_batches(&batches, &to_gatherer));
        }
        drop((batches, to_gatherer));
        let gatherer = scope.spawn(move || gather.all_of(&done));
        // On any return, the reader (and so the workers' queue) is dropped
        // first: the workers, then the gatherer, see their input end.
        let mut reader = Reader {
            lines: Lines::default(),
            seq: 0,
            to_workers: Some(to_workers),
        };
        let read = store.export_lines(None, newest.seq(), &mut |row| reader.push(row));
        reader.send();
        drop(reader);
        let gather = gatherer.join().expect("the gatherer does not panic")?;
        read?;
        Ok(gather)
    })
}

/// The caller's side: batches the store's lines for the workers.
struct Reader {
    lines: Lines,
    seq: u64,
    to_workers: Option<SyncSender<(u64, Lines)>>,
}

impl Reader {
    fn push(&mut self, row: ExportLines<'_>) -> io::Result<()> {
        let ExportLines::Canonical {
            cursor,
            line,
            edges,
            ..
        } = row
        else {
            return Ok(());
        };
        let bytes = &mut self.lines.bytes;
        let at = bytes.len();
        bytes.extend_from_slice(line);
        bytes.extend_from_slice(edges);
        let (line, edges) = (at..at + line.len(), at + line.len()..bytes.len());
        self.lines.rows.push((cursor, line, edges));
        if self.lines.rows.len() < BATCH_ROWS && self.lines.bytes.len() < BATCH_BYTES {
            return Ok(());
        }
        match self.send() {
            true => Ok(()),
            // The gatherer stopped on an error, which is the one reported.
            false => Err(io::Error::other("the export stopped")),
        }
    }

    /// Sends the batch; `false` once the workers are gone.
    fn send(&mut self) -> bool {
        let lines = std::mem::take(&mut self.lines);
        let Some(to_workers) = &self.to_workers else {
            return false;
        };
        if lines.rows.is_empty() {
            return true;
        }
        self.seq += 1;
        if to_workers.send((self.seq - 1, lines)).is_err() {
            self.to_workers = None;
        }
        self.to_workers.is_some()
    }
}

/// A worker: parses and encodes batches until there are none left or the
/// gatherer is gone.
fn encode_batches(batches: &Mutex<Receiver<(u64, Lines)>>, to_gatherer: &SyncSender<Done>) {
    loop {
        let next = batches.lock().map(|b| b.recv());
        let Ok(Ok((seq, lines))) = next else {
            return;
        };
        if to_gatherer.send((seq, encode(&lines))).is_err() {
            return;
        }
    }
}

fn encode(lines: &Lines) -> Result<Encoded, OsvExportError> {
    let mut parts = Vec::with_capacity(lines.bytes.len());
    let (mut keys, mut text, mut id_places) = (Vec::new(), String::new(), Vec::new());
    let mut entries = Vec::with_capacity(lines.rows.len());
    for (cursor, line, edges) in &lines.rows {
        let read = read_canonical(&lines.bytes[line.clone()], &lines.bytes[edges.clone()]);
        let (canonical, edge_ids) = read.map_err(|source| OsvExportError::Stored {
            cursor: *cursor,
            source,
        })?;
        let start = parts.len();
        part::encode(*cursor, &canonical, &edge_ids, &mut parts);
        let ids: BTreeSet<&str> = match edge_ids.is_empty() {
            true => [canonical.cve.as_str()].into(),
            false => edge_ids.iter().map(|id| id.as_ref()).collect(),
        };
        let add = |s: &str| {
            text.push_str(s);
            text.len() - s.len()..text.len()
        };
        let key_start = keys.len();
        hash_key(&canonical.merge_hash, &mut keys);
        let first = id_places.len();
        id_places.extend(ids.into_iter().map(add));
        entries.push((
            parts.len() - start,
            key_start..keys.len(),
            first..id_places.len(),
        ));
    }
    Ok(Encoded {
        parts,
        keys,
        text,
        id_places,
        entries,
    })
}

/// An edge line as far as the export reads it.
#[derive(serde::Deserialize)]
struct EdgeLine<'a> {
    #[serde(borrow)]
    source_advisory_id: Cow<'a, str>,
}

/// A stored canonical line and its edges' advisory ids.
fn read_canonical<'a>(
    line: &[u8],
    edges: &'a [u8],
) -> serde_json::Result<(Canonical, Vec<Cow<'a, str>>)> {
    let canonical = serde_json::from_slice(line)?;
    let ids = edges
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(edge_id)
        .collect::<Result<_, _>>()?;
    Ok((canonical, ids))
}

/// How an edge line's advisory id starts.
const ID_KEY: &[u8] = b"\"source_advisory_id\":\"";

/// The advisory id of a stored edge line, the one field of it the export
/// needs. An edge is a flat object, and a quote inside a JSON string is
/// escaped, so [`ID_KEY`] occurs in a line only as that key: an id with no
/// escape is taken straight from the bytes, without parsing the rest of
/// the line (its other six fields, two of them digests, are most of it).
/// Any other line goes through serde.
fn edge_id(line: &[u8]) -> serde_json::Result<Cow<'_, str>> {
    let plain = memchr::memmem::find(line, ID_KEY).and_then(|at| {
        let value = &line[at + ID_KEY.len()..];
        let end = memchr::memchr2(b'"', b'\\', value).filter(|&end| value[end] == b'"')?;
        std::str::from_utf8(&value[..end]).ok()
    });
    match plain {
        Some(id) => Ok(Cow::Borrowed(id)),
        None => serde_json::from_slice::<EdgeLine>(line).map(|e| e.source_advisory_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edge_id_is_what_serde_reads() {
        // The source, before the id in the line, holds the key's text too.
        let edge = |id: &str| {
            let mut e = crate::synth::record(3, 1, 0).edges.remove(0);
            e.source = "\"source_advisory_id\":\"fake".to_owned();
            e.source_advisory_id = id.to_owned();
            serde_json::to_vec(&e).unwrap()
        };
        let tricky = [
            "GHSA-abcd-efgh-ijkl",
            "with \"quotes\" and \\ slashes",
            "\"source_advisory_id\":\"inner",
            "é ü ✓",
            "",
        ];
        for id in tricky {
            let line = edge(id);
            let serde: EdgeLine = serde_json::from_slice(&line).unwrap();
            assert_eq!(edge_id(&line).unwrap(), serde.source_advisory_id, "{id}");
            assert_eq!(edge_id(&line).unwrap(), id);
        }
        // A line without the key, or broken after it, is serde's to judge.
        assert!(edge_id(b"{\"source\":\"x\"}").is_err());
        assert!(edge_id(b"{\"source_advisory_id\":\"unterminated").is_err());
    }
}
