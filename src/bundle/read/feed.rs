//! Decoded members handed on in chunks, so that decoding (the reading
//! thread), the tally (digest, lines: the tally thread) and the row checks
//! (the checking thread) run side by side: the way `validate` reads a
//! bundle. Each chunk goes to both threads at once, shared and read-only, so
//! neither waits for the other, and comes back to the reader to decode into
//! again once both are done with it. (The row checks are the longest part:
//! a thread of their own lets the scheduler spread the rest over the other
//! core.)
//!
//! Invariants:
//! - Memory is bounded: two queues of [`QUEUE`] chunks of [`CHUNK`] bytes
//!   (the same chunks), and one line (capped) carried from a chunk into the
//!   next.
//! - The checker never stops the others: after its first error it only
//!   drains its queue, so every byte is still checked against the manifest,
//!   and a damaged bundle is named by its damage first.

use std::io;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, SyncSender, sync_channel};

use super::lines::Lines;
use crate::bundle::error::BundleError;
use crate::bundle::format::members::Member;
use crate::bundle::io::tally::{LineCounter, MemberSink, Tally};
use crate::bundle::rows::check::RowCheck;

/// Bytes gathered before a chunk is handed over.
const CHUNK: usize = 128 << 10;
/// Chunks waiting for each thread at most.
const QUEUE: usize = 4;

/// Decoded bytes shared, read-only, by the reader and both threads.
pub(crate) type Chunk = Arc<Vec<u8>>;

/// A member's tally, or why it could not be taken.
pub(crate) type TallyReply = Result<Tally, BundleError>;

pub(crate) enum Piece {
    Bytes(Member, Chunk),
    End(Member),
}

pub(crate) fn channel() -> (SyncSender<Piece>, Receiver<Piece>) {
    sync_channel(QUEUE)
}

/// What comes back to the reading thread: each member's tally, and the
/// chunks a thread is done with (the second one back is free to reuse).
pub(crate) struct Returns {
    pub(crate) tallies: Receiver<TallyReply>,
    pub(crate) spare: Receiver<Chunk>,
}

/// Where each piece goes: both threads.
#[derive(Clone)]
pub(crate) struct Outlets {
    pub(crate) tally: SyncSender<Piece>,
    pub(crate) check: SyncSender<Piece>,
}

/// One member's bytes on their way to the two threads; the tally thread's
/// reply is the member's tally.
pub(crate) struct Handoff<'r> {
    member: Member,
    chunk: Vec<u8>,
    filled: usize,
    to: Outlets,
    returns: &'r Returns,
}

impl<'r> Handoff<'r> {
    pub(crate) fn new(member: Member, to: Outlets, returns: &'r Returns) -> Self {
        Self {
            member,
            chunk: Vec::new(),
            filled: 0,
            to,
            returns,
        }
    }

    fn send(&self, piece: impl Fn() -> Piece) -> Result<(), BundleError> {
        let sent = (self.to.tally.send(piece())).and_then(|()| self.to.check.send(piece()));
        sent.map_err(|_| self.stopped())
    }

    fn hand_over(&mut self) -> Result<(), BundleError> {
        let mut chunk = std::mem::take(&mut self.chunk);
        chunk.truncate(self.filled);
        self.filled = 0;
        let chunk = Arc::new(chunk);
        self.send(|| Piece::Bytes(self.member, Arc::clone(&chunk)))
    }

    /// A chunk both threads are done with, or a new one.
    fn fresh(&self) -> Vec<u8> {
        let mut spare = self.returns.spare.try_iter();
        let mut chunk = spare
            .find_map(|c| Arc::try_unwrap(c).ok())
            .unwrap_or_default();
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
        self.send(|| Piece::End(self.member))?;
        self.returns.tallies.recv().map_err(|_| self.stopped())?
    }
}

/// The tally thread: tallies each member's bytes and replies with the tally
/// at its end.
pub(crate) fn tally(rx: Receiver<Piece>, back: (Sender<TallyReply>, Sender<Chunk>), max_line: u64) {
    let (replies, spare) = back;
    let fresh = |member: Member| Ok(LineCounter::new(member.path(), max_line));
    let mut counter = None;
    for piece in rx {
        match piece {
            Piece::Bytes(member, chunk) => {
                let count = counter.get_or_insert_with(|| fresh(member));
                if let Ok(c) = count
                    && let Err(e) = c.update(&chunk)
                {
                    *count = Err(e);
                }
                // The reader may be gone already: then the chunk is freed.
                let _ = spare.send(chunk);
            }
            Piece::End(member) => {
                let count = counter.take().unwrap_or_else(|| fresh(member));
                // The reader waits for this reply; it is gone only on a panic.
                let _ = replies.send(count.map(LineCounter::finish));
            }
        }
    }
}

/// The checking thread: checks every row that arrives; the first error once
/// the queue closes.
pub(crate) fn drain(
    rx: Receiver<Piece>,
    spare: Sender<Chunk>,
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
