//! Decoded members handed on in chunks, so that decoding (the reading
//! thread) and the tally (digest, lines) and row checks (the checking
//! thread) run side by side: the way `validate` reads a bundle. Chunks go
//! from the reader to the checker and back to the reader to decode into
//! again. (Two threads of about equal work, not more: on two cores, a third
//! stage in the chain only adds waiting.)
//!
//! Invariants:
//! - Memory is bounded: a queue of [`QUEUE`] chunks of [`CHUNK`] bytes, and
//!   one line (capped) carried from a chunk into the next.
//! - The checker never stops the others: after its first error it only
//!   drains its queue, so every byte is still checked against the manifest,
//!   and a damaged bundle is named by its damage first.

use std::io;
use std::sync::mpsc::{Receiver, Sender, SyncSender, sync_channel};

use super::check::RowCheck;
use super::sink::MemberSink;
use super::spool::{LineCounter, Tally};
use super::{BundleError, Member};

/// Bytes gathered before a chunk is handed over.
const CHUNK: usize = 256 << 10;
/// Chunks waiting for the checker at most.
const QUEUE: usize = 16;

pub(crate) enum Piece {
    Bytes(Member, Vec<u8>),
    End(Member),
}

pub(crate) fn channel() -> (SyncSender<Piece>, Receiver<Piece>) {
    sync_channel(QUEUE)
}

/// What comes back to the reading thread: each member's tally, and the
/// chunks the checker is done with (to decode into again).
pub(crate) struct Returns {
    pub(crate) tallies: Receiver<Result<Tally, BundleError>>,
    pub(crate) spare: Receiver<Vec<u8>>,
}

/// One member's bytes on their way to the checking thread, whose reply is
/// the member's tally.
pub(crate) struct Handoff<'r> {
    member: Member,
    chunk: Vec<u8>,
    filled: usize,
    tx: SyncSender<Piece>,
    returns: &'r Returns,
}

impl<'r> Handoff<'r> {
    pub(crate) fn new(member: Member, tx: SyncSender<Piece>, returns: &'r Returns) -> Self {
        Self {
            member,
            chunk: Vec::new(),
            filled: 0,
            tx,
            returns,
        }
    }

    fn send(&self, piece: Piece) -> Result<(), BundleError> {
        self.tx.send(piece).map_err(|_| self.stopped())
    }

    fn hand_over(&mut self) -> Result<(), BundleError> {
        let mut chunk = std::mem::take(&mut self.chunk);
        chunk.truncate(self.filled);
        self.filled = 0;
        self.send(Piece::Bytes(self.member, chunk))
    }

    /// A chunk the checker is done with, or a new one.
    fn fresh(&self) -> Vec<u8> {
        let mut chunk = self.returns.spare.try_recv().unwrap_or_default();
        chunk.resize(CHUNK, 0);
        chunk
    }

    /// Only a panic stops the other threads early (and is raised again).
    fn stopped(&self) -> BundleError {
        BundleError::Spool {
            path: self.member.path().into(),
            source: io::Error::new(io::ErrorKind::BrokenPipe, "a reading thread stopped"),
        }
    }
}

impl MemberSink for Handoff<'_> {
    fn room(&mut self) -> &mut [u8] {
        if self.chunk.is_empty() {
            self.chunk = self.fresh();
        }
        self.chunk.get_mut(self.filled..).unwrap_or_default()
    }

    fn filled(&mut self, n: usize) -> Result<(), BundleError> {
        self.filled += n;
        match self.filled >= self.chunk.len() {
            true => self.hand_over(),
            false => Ok(()),
        }
    }

    fn tally(&mut self) -> Result<Tally, BundleError> {
        if self.filled > 0 {
            self.hand_over()?;
        }
        self.send(Piece::End(self.member))?;
        self.returns.tallies.recv().map_err(|_| self.stopped())?
    }
}

/// The checking thread: tallies each member's bytes (replying with the tally
/// at its end) and checks every row; the first row error once the queue
/// closes. After a row error it still tallies, so that the reader's verdict
/// on the bytes stands first.
pub(crate) fn drain(
    rx: Receiver<Piece>,
    back: (Sender<Result<Tally, BundleError>>, Sender<Vec<u8>>),
    mut rows: RowCheck,
    max_line: u64,
) -> Result<(), BundleError> {
    let (replies, spare) = back;
    let mut lines = Lines::new(max_line);
    let mut counter = None;
    let mut failed = None;
    for piece in rx {
        let done = match piece {
            Piece::Bytes(member, ref chunk) => {
                let count =
                    counter.get_or_insert_with(|| Ok(LineCounter::new(member.path(), max_line)));
                if let Ok(c) = count
                    && let Err(e) = c.update(chunk)
                {
                    *count = Err(e);
                }
                match failed {
                    Some(_) => Ok(()),
                    None => lines.feed(member, chunk, |line, body| rows.row(member, line, body)),
                }
            }
            Piece::End(member) => {
                let count = counter
                    .take()
                    .unwrap_or_else(|| Ok(LineCounter::new(member.path(), max_line)));
                // The reader waits for this reply; it is gone only on a panic.
                let _ = replies.send(count.map(LineCounter::finish));
                match failed {
                    Some(_) => Ok(()),
                    None => lines.end(member).and_then(|()| rows.end(member)),
                }
            }
        };
        if let Piece::Bytes(_, chunk) = piece {
            // The reader may be gone already: then the chunk is just freed.
            let _ = spare.send(chunk);
        }
        if let Err(e) = done {
            failed.get_or_insert(e);
        }
    }
    match failed {
        Some(e) => Err(e),
        None => rows.finish(),
    }
}

/// Splits a member's chunks into lines, enforcing the line cap.
struct Lines {
    partial: Vec<u8>,
    line: u64,
    max: u64,
}

impl Lines {
    fn new(max: u64) -> Self {
        Self {
            partial: Vec::new(),
            line: 0,
            max,
        }
    }

    fn too_long(&self, member: Member) -> BundleError {
        BundleError::LineTooLong {
            path: member.path(),
            line: self.line + 1,
            limit: self.max,
        }
    }

    fn feed(
        &mut self,
        member: Member,
        chunk: &[u8],
        mut row: impl FnMut(u64, &[u8]) -> Result<(), BundleError>,
    ) -> Result<(), BundleError> {
        let mut rest = chunk;
        while let Some(at) = memchr::memchr(b'\n', rest) {
            let (head, tail) = rest.split_at(at);
            rest = tail.get(1..).unwrap_or_default();
            let length = (self.partial.len() + head.len()) as u64;
            if length + 1 > self.max {
                return Err(self.too_long(member));
            }
            self.line += 1;
            if self.partial.is_empty() {
                row(self.line, head)?;
            } else {
                self.partial.extend_from_slice(head);
                row(self.line, &self.partial)?;
                self.partial.clear();
            }
        }
        if (self.partial.len() + rest.len()) as u64 > self.max {
            return Err(self.too_long(member));
        }
        self.partial.extend_from_slice(rest);
        Ok(())
    }

    /// The end of `member`: a line left open is refused; the next member's
    /// lines count from one.
    fn end(&mut self, member: Member) -> Result<(), BundleError> {
        if !self.partial.is_empty() {
            return Err(BundleError::MissingFinalNewline {
                path: member.path(),
            });
        }
        self.line = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines `chunks` split into, or the first error.
    fn split(chunks: &[&[u8]], max: u64) -> Result<Vec<(u64, Vec<u8>)>, BundleError> {
        let mut lines = Lines::new(max);
        let mut out = Vec::new();
        for chunk in chunks {
            lines.feed(Member::Edges, chunk, |n, body| {
                out.push((n, body.to_vec()));
                Ok(())
            })?;
        }
        lines.end(Member::Edges)?;
        Ok(out)
    }

    #[test]
    fn lines_are_the_same_however_the_bytes_are_cut() {
        let bytes = b"{\"a\":1}\n\n{\"b\":22}\n";
        let whole = split(&[bytes], 64).unwrap();
        let expected = vec![
            (1, b"{\"a\":1}".to_vec()),
            (2, Vec::new()),
            (3, b"{\"b\":22}".to_vec()),
        ];
        assert_eq!(whole, expected);
        for cut in 0..=bytes.len() {
            let (a, b) = bytes.split_at(cut);
            assert_eq!(split(&[a, b], 64).unwrap(), expected, "cut at {cut}");
        }
        let bytewise: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(split(&bytewise, 64).unwrap(), expected);
    }

    #[test]
    fn a_line_over_the_cap_or_left_open_is_refused() {
        // The cap counts the newline, as when reading a spooled member.
        assert_eq!(split(&[b"1234\n"], 5).unwrap().len(), 1);
        let long = split(&[b"ok\n12", b"345\n"], 5).unwrap_err();
        assert!(
            matches!(
                long,
                BundleError::LineTooLong {
                    line: 2,
                    limit: 5,
                    ..
                }
            ),
            "{long}"
        );
        let never_ends = split(&[b"ok\n123", b"456"], 5).unwrap_err();
        assert!(
            matches!(never_ends, BundleError::LineTooLong { line: 2, .. }),
            "{never_ends}"
        );
        let open = split(&[b"ok\nno newline"], 64).unwrap_err();
        assert!(matches!(
            open,
            BundleError::MissingFinalNewline {
                path: "edges.ndjson"
            }
        ));
    }
}
