//! Where a body frame's decoded bytes go as the reader checks them, and who
//! keeps their tally (digest, size, lines): the reader decodes each member
//! into a [`MemberSink`] and asks it for the tally at the member's end.
//! [`Counted`] tallies on the reader's thread and writes the bytes on (to a
//! spool file, or nowhere); `feed.rs` tallies on another thread.

use std::io::Write;
use std::path::PathBuf;

use super::BundleError;
use super::tally::{LineCounter, Tally};

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
