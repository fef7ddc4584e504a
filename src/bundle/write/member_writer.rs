//! NDJSON members on disk, compressed as they are written. The exporter
//! pushes rows into an [`NdjsonSpool`] (an anonymous temp file in a directory
//! it chooses), which hashes and counts the NDJSON and compresses it into the
//! member's body frame, hashing and counting that too, so the manifest is
//! known before the archive is written, memory stays flat whatever the export
//! size, and the spool takes the compressed size on disk. `io/tally.rs`
//! keeps the same accounting on the reading side, with the line cap.
//!
//! A member that never outgrows one feed of the compressor is kept in memory
//! and compressed whole when it is finished ([`frame::compress`], the
//! thread's kept small-frame context): a small delta then starts no
//! compressor threads of its own. The frame's bytes are the same either way
//! (the canonical parameters make them independent of workers and feeding).
//!
//! Invariants: a member is a sequence of compact JSON objects, each followed
//! by `\n`; `lines` is the number of `\n` bytes. An empty member has no
//! body frame (zero compressed bytes); any other has exactly one, made with
//! the canonical parameters at the spool's level.

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::options::WriteOptions;
use crate::bundle::format::frame;
use crate::bundle::format::members::Member;
use crate::bundle::format::tag::EMPTY_SHA256;
use crate::bundle::io::counted::HashingWriter;

type Body = zstd::Encoder<'static, HashingWriter<BufWriter<File>>>;

pub struct NdjsonSpool {
    member: Member,
    level: i32,
    threads: u32,
    /// Bytes not yet handed to the compressor: less than [`FEED`].
    pending: Vec<u8>,
    /// `None` until more than [`FEED`] bytes came (a smaller member is
    /// compressed whole by [`NdjsonSpool::finish`]).
    body: Option<Body>,
    file: Option<File>,
    line: Vec<u8>,
    hasher: Sha256,
    size: u64,
    lines: u64,
}

/// A finished NDJSON member: digests and sizes of its bytes and of its body
/// frame, its line count, and the frame's bytes.
#[derive(Debug)]
pub struct SpooledMember {
    pub member: Member,
    /// `sha256:<hex>` of the NDJSON bytes.
    pub sha256: String,
    pub size: u64,
    pub lines: u64,
    /// `sha256:<hex>` and length of the body frame.
    pub compressed_sha256: String,
    pub compressed_size: u64,
    /// The zstd level of the body frame.
    pub level: i32,
    file: File,
}

/// Input handed to the compressor at a time: it synchronises with its
/// workers on every write, so rows go to it in large pieces.
pub(super) const FEED: usize = 1 << 20;

impl NdjsonSpool {
    /// A spool compressing at `opts.level` on `opts.threads` workers.
    pub fn new(member: Member, dir: &Path, opts: &WriteOptions) -> io::Result<Self> {
        Ok(Self {
            member,
            level: opts.level,
            threads: opts.threads.max(1),
            pending: Vec::new(),
            body: None,
            file: Some(tempfile::tempfile_in(dir)?),
            line: Vec::new(),
            hasher: Sha256::new(),
            size: 0,
            lines: 0,
        })
    }

    pub fn push<T: Serialize>(&mut self, row: &T) -> io::Result<()> {
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        serde_json::to_writer(&mut line, row)?;
        line.push(b'\n');
        let pushed = self.push_lines(&line, 1);
        self.line = line;
        pushed
    }

    /// `lines` NDJSON lines already serialized, each ending in `\n` (the
    /// caller vouches for the count).
    pub fn push_lines(&mut self, bytes: &[u8], lines: u64) -> io::Result<()> {
        if self.pending.len() + bytes.len() < FEED {
            self.pending.extend_from_slice(bytes);
        } else {
            self.feed()?;
            match bytes.len() < FEED {
                true => self.pending.extend_from_slice(bytes),
                false => self.body()?.write_all(bytes)?,
            }
        }
        self.hasher.update(bytes);
        self.size += bytes.len() as u64;
        self.lines += lines;
        Ok(())
    }

    /// Whether the compressor has started: if not, [`NdjsonSpool::finish`]
    /// compresses the member whole, on the calling thread.
    pub fn started(&self) -> bool {
        self.body.is_some()
    }

    /// The compressor, started on first use.
    fn body(&mut self) -> io::Result<&mut Body> {
        if self.body.is_none() {
            let file = self
                .file
                .take()
                .ok_or_else(|| io::Error::other("spool reused"))?;
            let sink = HashingWriter::new(BufWriter::new(file));
            self.body = Some(frame::encoder(sink, self.level, self.threads)?);
        }
        self.body
            .as_mut()
            .ok_or_else(|| io::Error::other("spool reused"))
    }

    /// Hands the pending bytes to the compressor.
    fn feed(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        self.body()?.write_all(&pending)?;
        self.pending = pending;
        self.pending.clear();
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<SpooledMember> {
        if self.started() {
            self.feed()?;
        }
        let (mut file, compressed_sha256, compressed_size) = match (self.body, self.file) {
            (Some(body), _) => {
                let (sink, digest, size) = body.finish()?.finish_into();
                let file = sink.into_inner().map_err(io::IntoInnerError::into_error)?;
                (file, digest, size)
            }
            (None, Some(file)) if self.pending.is_empty() => (file, EMPTY_SHA256.to_owned(), 0),
            (None, Some(mut file)) => {
                let frame = frame::compress(&self.pending, self.level)?;
                file.write_all(&frame)?;
                let digest = crate::model::sha256_tagged(&frame);
                (file, digest, frame.len() as u64)
            }
            (None, None) => return Err(io::Error::other("spool reused")),
        };
        file.seek(SeekFrom::Start(0))?;
        Ok(SpooledMember {
            member: self.member,
            sha256: crate::model::sha256_tag(self.hasher),
            size: self.size,
            lines: self.lines,
            compressed_sha256,
            compressed_size,
            level: self.level,
            file,
        })
    }
}

impl SpooledMember {
    /// The body frame's bytes, from the start.
    pub(crate) fn into_file(self) -> File {
        self.file
    }
}
