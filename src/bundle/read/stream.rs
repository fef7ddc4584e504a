//! The compressed archive as the reader walks it, frame by frame (the layout
//! is in `man/stella-bundle.5`): the head frame (`MANIFEST.json`,
//! `SIGNATURE.json`); per member a joint frame (the previous member's
//! padding, this member's header) and a body frame (its bytes; none when it
//! is empty); a last joint frame (padding, two zero blocks); end of input.
//!
//! Invariants: every compressed byte is pinned. Small frames (head, joints)
//! are decoded whole and recorded, and must be exactly what the canonical
//! encoder makes of their content at the manifest's level; body frames are
//! hashed to the byte as they are decoded ([`Tap`]) and must match the
//! signed manifest. Decoding is bounded by the window cap, the ratio cap
//! (decoded bytes against compressed bytes read so far) and the input cap,
//! and the hash of all input is reported only after the end of input.

use std::io::{self, BufRead, BufReader, Read};

use super::input::{Input, Ratio, frame_decoder};
use super::small::Small;
use crate::bundle::error::BundleError;
use crate::bundle::format::frame;
use crate::bundle::format::limits::Limits;
use crate::bundle::format::members::{MANIFEST_PATH, Member, SIGNATURE_PATH};
use crate::bundle::format::tag::EMPTY_SHA256;
use crate::bundle::format::tar::BLOCK;
use crate::bundle::io::counted::{CountingReader, read_error};
use crate::bundle::io::tally::{MemberSink, Tally};
use crate::bundle::io::tap::{Consumed, Tap};

pub(crate) struct TarStream<'a> {
    input: Input<'a>,
    limit: u64,
    max_window_log: u32,
    ratio: Ratio,
    /// The head frame's content and bytes, until its level is known.
    head: Option<(Vec<u8>, Vec<u8>)>,
    level: i32,
}

impl<'a> TarStream<'a> {
    /// Checks the first frame header and prepares to read.
    pub(crate) fn start(input: Box<dyn Read + 'a>, limits: &Limits) -> Result<Self, BundleError> {
        let limit = limits.max_bundle_bytes;
        if frame::WINDOW_LOG > limits.max_window_log {
            return Err(BundleError::WindowLimit {
                window_log: frame::WINDOW_LOG,
                limit: limits.max_window_log,
            });
        }
        let mut counting = CountingReader::new(input, limit);
        let mut head = [0u8; 6];
        counting
            .read_exact(&mut head)
            .map_err(|e| read_error(e, limit))?;
        frame::check_header(&head, limits.max_window_log)?;
        let read = counting.counter();
        Ok(Self {
            input: BufReader::with_capacity(256 << 10, io::Cursor::new(head).chain(counting)),
            limit,
            max_window_log: limits.max_window_log,
            ratio: Ratio::new(read, limits.max_ratio),
            head: None,
            level: 0,
        })
    }

    fn small(&mut self, what: String, bound: u64) -> Result<Small<'_, 'a>, BundleError> {
        let (limit, window) = (self.limit, self.max_window_log);
        Small::new(
            &mut self.input,
            &mut self.ratio,
            (limit, window),
            what,
            bound,
        )
    }

    /// The head frame: `MANIFEST.json` and `SIGNATURE.json`, each under its cap.
    pub(crate) fn head(
        &mut self,
        max_manifest: u64,
        max_signature: u64,
    ) -> Result<(Vec<u8>, Vec<u8>), BundleError> {
        let bound = max_manifest.saturating_add(max_signature);
        let mut small = self.small("the frame of `MANIFEST.json`".into(), bound)?;
        let manifest = small.member(MANIFEST_PATH, &[], max_manifest)?;
        let envelope = small.member(SIGNATURE_PATH, &[MANIFEST_PATH], max_signature)?;
        self.head = Some(small.end(false)?);
        Ok((manifest, envelope))
    }

    /// Requires the head frame to be the canonical encoding at `level`, the
    /// level of every later small frame.
    pub(crate) fn verify_head(&mut self, level: i32) -> Result<(), BundleError> {
        self.level = level;
        match self.head.take() {
            Some((content, bytes)) => canonical(&content, &bytes, level),
            None => Err(BundleError::FrameLayout {
                detail: "the head frame was not read".into(),
            }),
        }
    }

    /// The joint frame before `member`: the padding of the member before it
    /// (`previous`, with its size) and `member`'s header; returns its size.
    pub(crate) fn member_header(
        &mut self,
        member: Member,
        earlier: &[&str],
        previous: Option<(&'static str, u64)>,
    ) -> Result<u64, BundleError> {
        let level = self.level;
        let what = format!("the frame before `{}`", member.path());
        let mut small = self.small(what, 2 * BLOCK as u64)?;
        if let Some((path, size)) = previous {
            small.padding(path, size)?;
        }
        let size = small.header(member.path(), earlier)?;
        let (content, bytes) = small.end(false)?;
        canonical(&content, &bytes, level)?;
        Ok(size)
    }

    /// A body frame holding `size` bytes of NDJSON (none at all when the
    /// manifest gives it no compressed bytes), streamed into `sink`: the
    /// tally of its content and the digest of its compressed bytes. The
    /// frame is decoded to its end wherever that is, so that damage is
    /// named by what it did to the content first.
    pub(crate) fn body(
        &mut self,
        member: Member,
        (size, compressed_size): (u64, u64),
        sink: &mut dyn MemberSink,
    ) -> Result<(Tally, String), BundleError> {
        let path = member.path();
        if compressed_size == 0 {
            return Ok((sink.tally()?, EMPTY_SHA256.to_owned()));
        }
        let limit = self.limit;
        let tap = Tap::hashing(&mut self.input);
        let mut dec = frame_decoder(tap, (limit, self.max_window_log))?;
        // The frame's content checksum (XXH64) pins nothing the manifest
        // does not: its content's sha256 and its bytes' sha256 are signed.
        dec.set_parameter(zstd::zstd_safe::DParameter::ForceIgnoreChecksum(true))
            .map_err(|e| read_error(e, limit))?;
        let mut left = size;
        while left > 0 {
            let room = sink.room();
            let want = usize::try_from(left).unwrap_or(usize::MAX).min(room.len());
            let chunk = room.get_mut(..want).unwrap_or_default();
            let n = fill(&mut dec, chunk).map_err(|e| read_error(e, limit))?;
            if n == 0 {
                return Err(BundleError::SizeMismatch {
                    path,
                    expected: size,
                    actual: size - left,
                });
            }
            self.ratio.add(n)?;
            sink.filled(n)?;
            left -= n as u64;
        }
        let mut one = [0u8; 1];
        if fill(&mut dec, &mut one).map_err(|e| read_error(e, limit))? != 0 {
            return Err(BundleError::FrameLayout {
                detail: format!("the frame of `{path}` holds more than its {size} bytes"),
            });
        }
        match dec.finish().into_inner().1.into_parts().1 {
            Consumed::Hash(h) => Ok((sink.tally()?, h.finish())),
            Consumed::Record { .. } => Err(BundleError::FrameLayout {
                detail: format!("the frame of `{path}` was not hashed"),
            }),
        }
    }

    /// The last joint frame (padding of `previous`, the two zero blocks),
    /// then the end of input: returns the bundle hash and size.
    pub(crate) fn finish(
        mut self,
        previous: (&'static str, u64),
    ) -> Result<(String, u64), BundleError> {
        let level = self.level;
        let what = "the last frame".to_owned();
        let mut small = self.small(what, 3 * BLOCK as u64)?;
        small.padding(previous.0, previous.1)?;
        small.trailer()?;
        let (content, bytes) = small.end(true)?;
        canonical(&content, &bytes, level)?;
        if !self
            .input
            .fill_buf()
            .map_err(|e| read_error(e, self.limit))?
            .is_empty()
        {
            return Err(BundleError::TrailingData);
        }
        let (_, counting) = self.input.into_inner().into_inner();
        Ok(counting.finish())
    }
}

/// Requires `bytes` to be the canonical encoding of `content` at `level`.
fn canonical(content: &[u8], bytes: &[u8], level: i32) -> Result<(), BundleError> {
    let expected = frame::compress(content, level).map_err(|e| BundleError::Zstd {
        detail: format!("re-encoding failed: {e}"),
    })?;
    match expected == bytes {
        true => Ok(()),
        false => Err(BundleError::NonCanonicalCompression { level }),
    }
}

/// Reads until `buf` is full or the frame ends; the count read.
fn fill(dec: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match dec.read(buf.get_mut(got..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}
