//! NDJSON members on disk, compressed as they are written. The exporter
//! pushes rows into an [`NdjsonSpool`] (an anonymous temp file in a directory
//! it chooses), which hashes and counts the NDJSON and compresses it into the
//! member's body frame, hashing and counting that too, so the manifest is
//! known before the archive is written, memory stays flat whatever the export
//! size, and the spool takes the compressed size on disk. `tally.rs` keeps
//! the same accounting on the reading side, with the line cap.
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

use super::counted::HashingWriter;
use super::frame;
use super::manifest::EMPTY_SHA256;
use super::{Member, WriteOptions};

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
const FEED: usize = 1 << 20;

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn spool_hashes_counts_and_keeps_the_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let opts = WriteOptions::default();
        let mut spool = NdjsonSpool::new(Member::Edges, dir.path(), &opts).unwrap();
        spool.push(&serde_json::json!({"a": 1})).unwrap();
        spool.push(&"x\ny").unwrap();
        let done = spool.finish().unwrap();
        let expected = b"{\"a\":1}\n\"x\\ny\"\n";
        assert_eq!((done.member, done.size, done.lines), (Member::Edges, 15, 2));
        assert_eq!(done.sha256, crate::model::sha256_tagged(expected));
        let mut frame = Vec::new();
        let (digest, size) = (done.compressed_sha256.clone(), done.compressed_size);
        done.into_file().read_to_end(&mut frame).unwrap();
        assert_eq!(frame, frame::compress(expected, opts.level).unwrap());
        assert_eq!(
            (digest, size),
            (crate::model::sha256_tagged(&frame), frame.len() as u64)
        );
        assert_eq!(zstd::decode_all(&frame[..]).unwrap(), expected);
    }

    #[test]
    fn an_empty_spool_has_no_frame() {
        let dir = tempfile::tempdir().unwrap();
        let spool = NdjsonSpool::new(Member::Deletions, dir.path(), &WriteOptions::default());
        let done = spool.unwrap().finish().unwrap();
        assert_eq!((done.size, done.lines, done.compressed_size), (0, 0, 0));
        assert_eq!(done.compressed_sha256, crate::model::sha256_tagged(b""));
        assert_eq!(done.sha256, done.compressed_sha256);
    }

    /// Everything the manifest pins, and the frame's bytes.
    type Outcome = ((String, u64, u64, String, u64), Vec<u8>);

    fn outcome(spool: NdjsonSpool) -> Outcome {
        let done = spool.finish().unwrap();
        let pins = (
            done.sha256.clone(),
            done.size,
            done.lines,
            done.compressed_sha256.clone(),
            done.compressed_size,
        );
        let mut frame = Vec::new();
        done.into_file().read_to_end(&mut frame).unwrap();
        (pins, frame)
    }

    #[test]
    fn a_member_past_one_feed_streams_to_the_frame_a_small_one_gets_whole() {
        let dir = tempfile::tempdir().unwrap();
        let opts = WriteOptions::default();
        let lines: Vec<String> = (0..80_000)
            .map(|i| format!("{{\"id\":{i},\"text\":\"row {}\"}}\n", i * 7919 % 10007))
            .collect();
        let all = lines.concat();
        assert!(all.len() > 2 * FEED, "{} bytes", all.len());
        let mut spool = NdjsonSpool::new(Member::Edges, dir.path(), &opts).unwrap();
        let (head, rest) = all.as_bytes().split_at(FEED - 10);
        spool.push_lines(head, 0).unwrap();
        assert!(!spool.started(), "under one feed stays in memory");
        spool.push_lines(&rest[..FEED + 5], 0).unwrap();
        assert!(spool.started(), "past one feed compresses");
        for line in rest[FEED + 5..].chunks(333) {
            spool.push_lines(line, 0).unwrap();
        }
        let (pins, streamed) = outcome(spool);
        assert_eq!(
            streamed,
            frame::compress(all.as_bytes(), opts.level).unwrap()
        );
        assert_eq!((pins.1, pins.4), (all.len() as u64, streamed.len() as u64));
        assert_eq!(zstd::decode_all(&streamed[..]).unwrap(), all.as_bytes());
    }

    #[test]
    fn lines_pushed_in_pieces_are_the_rows_pushed_one_by_one() {
        let dir = tempfile::tempdir().unwrap();
        let opts = WriteOptions::default();
        let spool = || NdjsonSpool::new(Member::Canonicals, dir.path(), &opts).unwrap();
        let (mut rows, mut pieces, mut nothing) = (spool(), spool(), spool());
        for row in [
            serde_json::json!({"a": 1}),
            "b".into(),
            serde_json::json!([1, 2]),
        ] {
            rows.push(&row).unwrap();
        }
        pieces.push_lines(b"", 0).unwrap();
        pieces.push_lines(b"{\"a\":1}\n\"b\"\n", 2).unwrap();
        pieces.push_lines(b"[1,2]\n", 1).unwrap();
        nothing.push_lines(b"", 0).unwrap();
        let got = outcome(pieces);
        assert_eq!((got.0.1, got.0.2), (18, 3));
        assert_eq!(got, outcome(rows));
        let empty = (
            (EMPTY_SHA256.to_owned(), 0, 0, EMPTY_SHA256.to_owned(), 0),
            Vec::new(),
        );
        assert_eq!(outcome(nothing), empty);
    }
}
