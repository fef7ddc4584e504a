//! The compressed input as the reader holds it: counted and capped
//! ([`Input`]), the decompression-ratio cap ([`Ratio`]) and the decoder of
//! one frame whose header was checked first ([`frame_decoder`]).
//!
//! Invariants: every compressed byte read is counted before it is decoded;
//! the decoded bytes never outgrow the ratio cap times the bytes read (or
//! the floor); no frame is decoded before its six header bytes matched the
//! canonical header and the window cap.

use std::cell::Cell;
use std::io::{self, BufReader, Chain, Read};
use std::rc::Rc;

use crate::bundle::error::BundleError;
use crate::bundle::format::frame;
use crate::bundle::io::counted::{CountingReader, read_error};

pub(crate) type Input<'a> =
    BufReader<Chain<io::Cursor<[u8; 6]>, CountingReader<Box<dyn Read + 'a>>>>;

/// Decoded bytes against compressed bytes read so far (which include the
/// reader's read-ahead, so the count is generous).
pub(crate) struct Ratio {
    read: Rc<Cell<u64>>,
    decoded: u64,
    max: u64,
}

/// Compressed input below this size counts as this size for the ratio cap,
/// so a tiny honest bundle (mostly tar padding) is never taken for a bomb.
const RATIO_FLOOR: u64 = 64 << 10;

impl Ratio {
    /// Counts against what `read` has seen so far, at most `max` to one.
    pub(crate) fn new(read: Rc<Cell<u64>>, max: u64) -> Self {
        Self {
            read,
            decoded: 0,
            max,
        }
    }

    pub(crate) fn add(&mut self, n: usize) -> Result<(), BundleError> {
        self.decoded = self.decoded.saturating_add(n as u64);
        let allowed = self.read.get().max(RATIO_FLOOR).saturating_mul(self.max);
        match self.decoded > allowed {
            true => Err(BundleError::RatioExceeded { ratio: self.max }),
            false => Ok(()),
        }
    }
}

type Framed<T> = std::io::Chain<std::io::Cursor<[u8; 6]>, T>;

/// A decoder of one frame whose six header bytes were read (through the
/// tap) and checked first.
pub(crate) type FrameDecoder<T> = zstd::stream::read::Decoder<'static, Framed<T>>;

/// Reads and checks a frame's header through `tap`, then decodes from there.
pub(crate) fn frame_decoder<T: std::io::BufRead>(
    mut tap: T,
    (limit, max_window_log): (u64, u32),
) -> Result<FrameDecoder<T>, BundleError> {
    let mut head = [0u8; 6];
    tap.read_exact(&mut head)
        .map_err(|e| read_error(e, limit))?;
    frame::check_header(&head, max_window_log)?;
    let mut dec = zstd::stream::read::Decoder::with_buffer(std::io::Cursor::new(head).chain(tap))
        .map_err(BundleError::Read)?
        .single_frame();
    dec.window_log_max(max_window_log)
        .map_err(|e| read_error(e, limit))?;
    Ok(dec)
}
