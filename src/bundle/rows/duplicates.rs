//! The merge hashes a reading of `canonicals.ndjson` has met, to refuse a
//! bundle that lists one canonical twice — in bounded memory.
//!
//! A set in memory would grow with the bundle (≈100 bytes per canonical, a
//! tenth of a GiB at a million). Instead each hash (its 32 digest bytes, with
//! its line) goes into a fixed-size buffer; a full buffer is sorted and
//! written as a run file beside the spooled members, and at the end the runs
//! are merged: equal neighbours are the duplicates. Memory is the buffer plus
//! a small read buffer per run; the work is one sort and one merge pass.
//!
//! Invariant: memory stays at the buffer and one read buffer per run,
//! whatever the bundle's size; run files are removed when it is dropped.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::bundle::error::BundleError;
use crate::bundle::format::tag::tag_digest;

/// Digest bytes and the line they came from.
type Key = ([u8; 32], u64);

/// Hashes held before a run is written (40 bytes each: 1.3 MiB).
const RUN: usize = 32 * 1024;

pub(crate) struct Duplicates {
    dir: PathBuf,
    buffer: Vec<Key>,
    runs: Vec<PathBuf>,
}

impl Duplicates {
    pub(crate) fn new(dir: &Path) -> Duplicates {
        Duplicates {
            dir: dir.to_path_buf(),
            buffer: Vec::with_capacity(RUN),
            runs: Vec::new(),
        }
    }

    /// Notes `merge_hash` met at `line`. A hash that is not `sha256:<hex>`
    /// never reaches here (the row checks refuse it first).
    pub(crate) fn insert(&mut self, merge_hash: &str, line: u64) -> Result<(), BundleError> {
        match tag_digest(merge_hash.as_bytes()) {
            Some(digest) => self.insert_digest(digest, line),
            None => Ok(()),
        }
    }

    /// [`Self::insert`] of a merge hash already decoded to its digest.
    pub(crate) fn insert_digest(&mut self, digest: [u8; 32], line: u64) -> Result<(), BundleError> {
        self.buffer.push((digest, line));
        if self.buffer.len() == RUN {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> Result<(), BundleError> {
        self.buffer.sort_unstable();
        let path = self.dir.join(format!("seen.{}", self.runs.len()));
        let error = scratch_error(&path);
        let mut out = BufWriter::new(File::create(&path).map_err(&error)?);
        for (digest, line) in self.buffer.drain(..) {
            out.write_all(&digest).map_err(&error)?;
            out.write_all(&line.to_le_bytes()).map_err(&error)?;
        }
        out.into_inner().map_err(|e| error(e.into_error()))?;
        drop(error);
        self.runs.push(path);
        Ok(())
    }

    /// The first duplicate, as (hex digest, line of its second listing).
    pub(crate) fn finish(mut self) -> Result<Option<(String, u64)>, BundleError> {
        if !self.buffer.is_empty() {
            self.spill()?;
        }
        let mut runs = Vec::with_capacity(self.runs.len());
        // Each run's smallest unread key, smallest first.
        let mut heads = BinaryHeap::with_capacity(self.runs.len());
        for (i, path) in self.runs.iter().enumerate() {
            let mut run =
                BufReader::with_capacity(8 << 10, File::open(path).map_err(scratch_error(path))?);
            if let Some(head) = next(&mut run).map_err(scratch_error(path))? {
                heads.push(Reverse((head, i)));
            }
            runs.push(run);
        }
        let mut previous: Option<Key> = None;
        let mut found: Option<Key> = None;
        while let Some(Reverse((key, i))) = heads.pop() {
            if let Some(head) = next(&mut runs[i]).map_err(scratch_error(&self.runs[i]))? {
                heads.push(Reverse((head, i)));
            }
            if let Some((digest, line)) = previous
                && digest == key.0
            {
                let second = line.max(key.1);
                if found.is_none_or(|(_, l)| second < l) {
                    found = Some((digest, second));
                }
            }
            previous = Some(key);
        }
        drop(runs);
        self.remove_runs();
        Ok(found.map(|(digest, line)| (format!("sha256:{}", hex::encode(digest)), line)))
    }
}

impl Duplicates {
    fn remove_runs(&mut self) {
        for path in self.runs.drain(..) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A reading abandoned on an error leaves no run file behind.
impl Drop for Duplicates {
    fn drop(&mut self) {
        self.remove_runs();
    }
}

fn next(run: &mut impl Read) -> io::Result<Option<Key>> {
    let mut record = [0u8; 40];
    match run.read_exact(&mut record) {
        Ok(()) => {
            let mut digest = [0u8; 32];
            digest.copy_from_slice(&record[..32]);
            let mut line = [0u8; 8];
            line.copy_from_slice(&record[32..]);
            Ok(Some((digest, u64::from_le_bytes(line))))
        }
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
        Err(e) => Err(e),
    }
}

pub(super) fn scratch_error(path: &Path) -> impl Fn(io::Error) -> BundleError + '_ {
    move |source| BundleError::Spool {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(i: u64) -> String {
        format!("sha256:{i:064x}")
    }

    #[test]
    fn the_earliest_second_listing_is_found_across_runs() {
        let dir = tempfile::tempdir().unwrap();
        let mut seen = Duplicates::new(dir.path());
        let total = RUN as u64 * 2 + 5;
        for i in 0..total {
            seen.insert(&hash(i), i + 1).unwrap();
        }
        seen.insert(&hash(total - 1), total + 1).unwrap();
        seen.insert(&hash(3), total + 2).unwrap();
        assert_eq!(seen.finish().unwrap(), Some((hash(total - 1), total + 1)));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn distinct_hashes_pass() {
        let dir = tempfile::tempdir().unwrap();
        let mut seen = Duplicates::new(dir.path());
        for i in 0..1000 {
            seen.insert(&hash(i * 7919), i).unwrap();
        }
        assert_eq!(seen.finish().unwrap(), None);
    }
}
