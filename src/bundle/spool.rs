//! NDJSON members on disk. The exporter pushes rows into an [`NdjsonSpool`]
//! (an anonymous temp file in a directory it chooses), which hashes and
//! counts while writing, so the manifest is known before the archive is
//! written and memory stays flat whatever the export size. [`LineCounter`]
//! is the same accounting on the reading side, with the line cap.
//!
//! Invariant: a member is a sequence of compact JSON objects, each followed
//! by `\n`; `lines` is the number of `\n` bytes.

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{BundleError, Member};

pub struct NdjsonSpool {
    member: Member,
    writer: BufWriter<File>,
    hasher: Sha256,
    size: u64,
    lines: u64,
}

/// A finished NDJSON member: its digest, size, line count and bytes.
#[derive(Debug)]
pub struct SpooledMember {
    pub member: Member,
    /// `sha256:<hex>`.
    pub sha256: String,
    pub size: u64,
    pub lines: u64,
    file: File,
}

impl NdjsonSpool {
    pub fn new(member: Member, dir: &Path) -> io::Result<Self> {
        let file = tempfile::tempfile_in(dir)?;
        Ok(Self {
            member,
            writer: BufWriter::new(file),
            hasher: Sha256::new(),
            size: 0,
            lines: 0,
        })
    }

    pub fn push<T: Serialize>(&mut self, row: &T) -> io::Result<()> {
        let mut line = serde_json::to_vec(row)?;
        line.push(b'\n');
        self.writer.write_all(&line)?;
        self.hasher.update(&line);
        self.size += line.len() as u64;
        self.lines += 1;
        Ok(())
    }

    pub fn finish(self) -> io::Result<SpooledMember> {
        let mut file = self
            .writer
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.seek(SeekFrom::Start(0))?;
        Ok(SpooledMember {
            member: self.member,
            sha256: format!("sha256:{}", hex::encode(self.hasher.finalize())),
            size: self.size,
            lines: self.lines,
            file,
        })
    }
}

impl SpooledMember {
    pub(crate) fn into_file(self) -> File {
        self.file
    }
}

/// Hashes member bytes as they stream by, counting lines and capping them.
pub(crate) struct LineCounter {
    path: &'static str,
    max_line: u64,
    hasher: Sha256,
    size: u64,
    lines: u64,
    line_len: u64,
}

impl LineCounter {
    pub(crate) fn new(path: &'static str, max_line: u64) -> Self {
        Self {
            path,
            max_line,
            hasher: Sha256::new(),
            size: 0,
            lines: 0,
            line_len: 0,
        }
    }

    pub(crate) fn update(&mut self, chunk: &[u8]) -> Result<(), BundleError> {
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        for part in chunk.split_inclusive(|b| *b == b'\n') {
            self.line_len += part.len() as u64;
            if self.line_len > self.max_line {
                return Err(BundleError::LineTooLong {
                    path: self.path,
                    line: self.lines + 1,
                    limit: self.max_line,
                });
            }
            if part.last() == Some(&b'\n') {
                self.lines += 1;
                self.line_len = 0;
            }
        }
        Ok(())
    }

    pub(crate) fn finish(self) -> Tally {
        Tally {
            sha256: format!("sha256:{}", hex::encode(self.hasher.finalize())),
            size: self.size,
            lines: self.lines,
            open_line: self.line_len != 0,
        }
    }
}

/// What a [`LineCounter`] saw.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Tally {
    pub(crate) sha256: String,
    pub(crate) size: u64,
    pub(crate) lines: u64,
    /// The last line has no newline.
    pub(crate) open_line: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn spool_hashes_counts_and_keeps_the_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let mut spool = NdjsonSpool::new(Member::Edges, dir.path()).unwrap();
        spool.push(&serde_json::json!({"a": 1})).unwrap();
        spool.push(&"x\ny").unwrap();
        let done = spool.finish().unwrap();
        let expected = b"{\"a\":1}\n\"x\\ny\"\n";
        assert_eq!((done.member, done.size, done.lines), (Member::Edges, 15, 2));
        assert_eq!(done.sha256, crate::model::sha256_tagged(expected));
        let mut bytes = Vec::new();
        done.into_file().read_to_end(&mut bytes).unwrap();
        assert_eq!(bytes, expected);
    }

    #[test]
    fn line_counter_agrees_across_chunkings_and_enforces_caps() {
        let mut c = LineCounter::new("edges.ndjson", 4);
        for chunk in [&b"ab"[..], b"c\nd", b"\n", b""] {
            c.update(chunk).unwrap();
        }
        let tally = Tally {
            sha256: crate::model::sha256_tagged(b"abc\nd\n"),
            size: 6,
            lines: 2,
            open_line: false,
        };
        assert_eq!(c.finish(), tally);
        let mut c = LineCounter::new("edges.ndjson", 4);
        c.update(b"abc\n").unwrap();
        assert!(matches!(
            c.update(b"abcd\n"),
            Err(BundleError::LineTooLong {
                line: 2,
                limit: 4,
                ..
            })
        ));
        let mut c = LineCounter::new("edges.ndjson", 4);
        c.update(b"ab").unwrap();
        assert!(c.finish().open_line);
    }
}
