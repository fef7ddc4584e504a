//! The reading side's accounting of a member's NDJSON: [`LineCounter`]
//! hashes and counts the bytes as they stream out of the decoder and
//! enforces the line cap; [`Tally`] is what it saw, held to the manifest's
//! entry for the member. (`write/member_writer.rs` keeps the same accounting
//! on the writing side.) The reader decodes each member into a
//! [`MemberSink`] and asks it for the tally at the member's end. Both sinks
//! tally on the reader's thread, as the bytes are decoded (still in cache):
//! [`Counted`] then writes them on (to a spool file, or nowhere),
//! `read/feed.rs` hands them to the thread that checks the rows.
//!
//! Invariants: `lines` is the number of `\n` bytes seen; no line, its
//! newline included, is longer than the cap without an error naming it
//! (1-based); the digest covers exactly the bytes given, in order.

use std::io::Write;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use crate::bundle::error::BundleError;

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
        let mut start = 0;
        for newline in memchr::memchr_iter(b'\n', chunk) {
            self.extend_line(newline + 1 - start)?;
            self.lines += 1;
            self.line_len = 0;
            start = newline + 1;
        }
        self.extend_line(chunk.len() - start)
    }

    /// `n` more bytes of the current line, checked against the cap.
    fn extend_line(&mut self, n: usize) -> Result<(), BundleError> {
        self.line_len += n as u64;
        match self.line_len > self.max_line {
            true => Err(BundleError::LineTooLong {
                path: self.path,
                line: self.lines + 1,
                limit: self.max_line,
            }),
            false => Ok(()),
        }
    }

    /// The tally of the bytes so far.
    pub(crate) fn snapshot(&self) -> Tally {
        Tally {
            sha256: crate::model::sha256_tag(self.hasher.clone()),
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

/// The reader decodes straight into the sink's [`room`](MemberSink::room)
/// (no copy on the way), then says how much it [`filled`](MemberSink::filled).
pub(crate) trait MemberSink {
    /// Where the member's next bytes go; never empty.
    fn room(&mut self) -> &mut [u8];
    /// The first `n` bytes of the room hold the member's next bytes.
    fn filled(&mut self, n: usize) -> Result<(), BundleError>;
    /// The tally of every byte taken, once the member has ended.
    fn tally(&mut self) -> Result<Tally, BundleError>;
}

/// Tallies here and writes the bytes to `out`; its errors name `path`.
pub(crate) struct Counted<W> {
    counter: LineCounter,
    buf: Vec<u8>,
    out: W,
    path: PathBuf,
}

impl<W: Write> Counted<W> {
    pub(crate) fn new(counter: LineCounter, out: W, path: PathBuf) -> Self {
        Self {
            counter,
            buf: vec![0; 64 << 10],
            out,
            path,
        }
    }

    fn spool_error(&self) -> impl Fn(std::io::Error) -> BundleError + '_ {
        |source| BundleError::Spool {
            path: self.path.clone(),
            source,
        }
    }
}

impl<W: Write> MemberSink for Counted<W> {
    fn room(&mut self) -> &mut [u8] {
        &mut self.buf
    }

    fn filled(&mut self, n: usize) -> Result<(), BundleError> {
        let bytes = self.buf.get(..n).unwrap_or_default();
        self.counter.update(bytes)?;
        let written = self.out.write_all(bytes);
        written.map_err(self.spool_error())
    }

    fn tally(&mut self) -> Result<Tally, BundleError> {
        let flushed = self.out.flush();
        flushed.map_err(self.spool_error())?;
        Ok(self.counter.snapshot())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(c.snapshot(), tally);
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
        assert!(c.snapshot().open_line);
    }
}
