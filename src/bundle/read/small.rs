//! One small frame (the head, a joint) decoded whole: read through the tar
//! checks piece by piece, recorded to the byte, then required to end.
//!
//! Invariants: the content is only what the tar checks asked for (each
//! piece bounded by its cap), the recording stops growing past a bound fixed
//! before decoding starts, and [`Small::end`] hands back both so that the
//! caller can compare the bytes with the canonical encoding of the content.

use std::io::Read;

use super::input::{FrameDecoder, Input, Ratio, frame_decoder};
use crate::bundle::error::BundleError;
use crate::bundle::format::members::KNOWN;
use crate::bundle::format::path::ArchivePath;
use crate::bundle::format::tar::{self as tarfmt, BLOCK};
use crate::bundle::io::counted::read_error;
use crate::bundle::io::tap::{Consumed, Tap};

pub(crate) struct Small<'s, 'a> {
    dec: FrameDecoder<Tap<&'s mut Input<'a>>>,
    ratio: &'s mut Ratio,
    content: Vec<u8>,
    limit: u64,
    /// Names the frame in errors.
    what: String,
}

impl<'s, 'a> Small<'s, 'a> {
    /// A frame whose content is at most `bound` bytes (its encoding is
    /// allowed a little more: zstd's worst case on incompressible input).
    pub(crate) fn new(
        input: &'s mut Input<'a>,
        ratio: &'s mut Ratio,
        (limit, max_window_log): (u64, u32),
        what: String,
        bound: u64,
    ) -> Result<Self, BundleError> {
        let bound = usize::try_from(bound).unwrap_or(usize::MAX);
        let cap = bound.saturating_add(bound / 64).saturating_add(1024);
        let dec = frame_decoder(Tap::recording(input, cap), (limit, max_window_log))?;
        Ok(Self {
            dec,
            ratio,
            content: Vec::new(),
            limit,
            what,
        })
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), BundleError> {
        self.dec
            .read_exact(buf)
            .map_err(|e| read_error(e, self.limit))?;
        self.ratio.add(buf.len())?;
        if self.dec.get_ref().get_ref().1.over() {
            return Err(BundleError::FrameLayout {
                detail: format!("{} is larger than its content allows", self.what),
            });
        }
        self.content.extend_from_slice(buf);
        Ok(())
    }

    /// The next header, which must be `expected`'s; returns its size.
    pub(crate) fn header(
        &mut self,
        expected: &'static str,
        earlier: &[&str],
    ) -> Result<u64, BundleError> {
        let mut block = [0u8; BLOCK];
        self.read_exact(&mut block)?;
        if block == [0u8; BLOCK] {
            return Err(BundleError::UnexpectedMember {
                found: "<end of archive>".into(),
                expected,
            });
        }
        tarfmt::check_header(&block, expected, earlier)
    }

    /// The zero padding after a member of `size` bytes.
    pub(crate) fn padding(&mut self, path: &'static str, size: u64) -> Result<(), BundleError> {
        let mut pad = [0u8; BLOCK];
        let pad = pad.get_mut(..tarfmt::padding(size)).unwrap_or_default();
        self.read_exact(pad)?;
        match pad.iter().all(|b| *b == 0) {
            true => Ok(()),
            false => Err(BundleError::NonZeroPadding { path }),
        }
    }

    /// A whole member read into memory (manifest, envelope), under `max`.
    pub(crate) fn member(
        &mut self,
        path: &'static str,
        earlier: &[&str],
        max: u64,
    ) -> Result<Vec<u8>, BundleError> {
        let size = self.header(path, earlier)?;
        if size > max {
            return Err(BundleError::MemberTooLarge {
                path,
                size,
                limit: max,
            });
        }
        let mut data = vec![0u8; usize::try_from(size).unwrap_or(0)];
        self.read_exact(&mut data)?;
        self.padding(path, size)?;
        Ok(data)
    }

    /// The archive's end: two zero blocks, where a non-zero first block is
    /// named as the member it would begin.
    pub(crate) fn trailer(&mut self) -> Result<(), BundleError> {
        let mut block = [0u8; BLOCK];
        self.read_exact(&mut block)?;
        if block != [0u8; BLOCK] {
            return Err(extra_member(&block));
        }
        self.read_exact(&mut block)?;
        match block == [0u8; BLOCK] {
            true => Ok(()),
            false => Err(BundleError::BadTrailer),
        }
    }

    /// Requires the frame to end here; returns its content and its bytes.
    /// More content in the last frame is trailing data.
    pub(crate) fn end(mut self, last: bool) -> Result<(Vec<u8>, Vec<u8>), BundleError> {
        let mut one = [0u8; 1];
        let more = self
            .dec
            .read(&mut one)
            .map_err(|e| read_error(e, self.limit))?;
        if more != 0 {
            return Err(match last {
                true => BundleError::TrailingData,
                false => BundleError::FrameLayout {
                    detail: format!("{} goes on after its content", self.what),
                },
            });
        }
        match self.dec.finish().into_inner().1.into_parts().1 {
            Consumed::Record {
                bytes, over: false, ..
            } => Ok((self.content, bytes)),
            _ => Err(BundleError::FrameLayout {
                detail: format!("{} is larger than its content allows", self.what),
            }),
        }
    }
}

fn extra_member(block: &[u8; BLOCK]) -> BundleError {
    let h = tar::Header::from_byte_slice(block);
    match ArchivePath::from_bytes(&h.path_bytes()) {
        Err(unsafe_path) => unsafe_path,
        Ok(path) if KNOWN.contains(&path.as_str()) => BundleError::DuplicateMember {
            path: path.to_string(),
        },
        Ok(path) => BundleError::ExtraMember {
            path: path.to_string(),
        },
    }
}
