//! Decoded members handed on in chunks, so that decoding and the tally
//! (digest, lines: the reading thread) and the row checks (the checking
//! thread) run side by side: the way `validate` reads a bundle. The reader
//! tallies each piece the decoder wrote while it is still in cache, then
//! hands the filled chunk to the checker, which gives it back to be decoded
//! into again. (Decoding plus the tally and the row checks cost about the
//! same: two threads, one for each core.)
//!
//! Invariants:
//! - Memory is bounded: a queue of [`QUEUE`] chunks of [`CHUNK`] bytes, the
//!   one being filled, and one line (capped) carried from a chunk into the
//!   next.
//! - The tally is taken as in `io/tally.rs`'s `Counted`: a line over the cap
//!   is refused as soon as it is decoded, with the same error.
//! - The checker never stops the reader: after its first error it only
//!   drains its queue, so every byte is still checked against the manifest,
//!   and a damaged bundle is named by its damage first.

use std::io;
use std::sync::mpsc::{Receiver, Sender, SyncSender, sync_channel};

use super::lines::Lines;
use crate::bundle::error::BundleError;
use crate::bundle::format::members::Member;
use crate::bundle::io::tally::{LineCounter, MemberSink, Tally};
use crate::bundle::rows::check::RowCheck;

/// Bytes gathered before a chunk is handed over.
const CHUNK: usize = 128 << 10;
/// Chunks waiting for the checker at most.
const QUEUE: usize = 4;

pub(crate) enum Piece {
    Bytes(Member, Vec<u8>),
    End(Member),
}

pub(crate) fn channel() -> (SyncSender<Piece>, Receiver<Piece>) {
    sync_channel(QUEUE)
}

/// One member's bytes on their way to the checker, tallied as they come.
pub(crate) struct Handoff<'r> {
    member: Member,
    counter: LineCounter,
    chunk: Vec<u8>,
    filled: usize,
    to: SyncSender<Piece>,
    /// Chunks the checker is done with.
    spare: &'r Receiver<Vec<u8>>,
}

impl<'r> Handoff<'r> {
    pub(crate) fn new(
        member: Member,
        max_line: u64,
        to: SyncSender<Piece>,
        spare: &'r Receiver<Vec<u8>>,
    ) -> Self {
        Self {
            member,
            counter: LineCounter::new(member.path(), max_line),
            chunk: Vec::new(),
            filled: 0,
            to,
            spare,
        }
    }

    fn send(&self, piece: Piece) -> Result<(), BundleError> {
        self.to.send(piece).map_err(|_| self.stopped())
    }

    fn hand_over(&mut self) -> Result<(), BundleError> {
        let mut chunk = std::mem::take(&mut self.chunk);
        chunk.truncate(self.filled);
        self.filled = 0;
        self.send(Piece::Bytes(self.member, chunk))
    }

    /// A chunk the checker is done with, or a new one.
    fn fresh(&self) -> Vec<u8> {
        let mut chunk = self.spare.try_recv().unwrap_or_default();
        chunk.resize(CHUNK, 0);
        chunk
    }

    /// Only a panic stops the checker early (and is raised again).
    fn stopped(&self) -> BundleError {
        BundleError::Spool {
            path: self.member.path().into(),
            source: io::Error::new(io::ErrorKind::BrokenPipe, "the checking thread stopped"),
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
        let end = self.filled + n;
        let new = self.chunk.get(self.filled..end).unwrap_or_default();
        self.counter.update(new)?;
        self.filled = end;
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
        Ok(self.counter.snapshot())
    }
}

/// The checking thread: checks every row that arrives; the first error once
/// the queue closes.
pub(crate) fn drain(
    rx: Receiver<Piece>,
    spare: Sender<Vec<u8>>,
    mut rows: RowCheck,
    max_line: u64,
) -> Result<(), BundleError> {
    let mut lines = Lines::new(max_line);
    let mut failed = None;
    for piece in rx {
        let done = match piece {
            _ if failed.is_some() => Ok(()),
            Piece::Bytes(member, ref chunk) => {
                lines.feed(member, chunk, |line, body| rows.row(member, line, body))
            }
            Piece::End(member) => lines.end(member).and_then(|()| rows.end(member)),
        };
        if let Piece::Bytes(_, chunk) = piece {
            // The reader may be gone already: then the chunk is freed.
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
