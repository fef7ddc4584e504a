//! The zstd layer: encoder parameters, the one frame header they produce,
//! and byte accounting of the compressed input.
//!
//! zstd's block format has slack: some bits (e.g. the padding after an FSE
//! table description) do not change what decodes, so a flipped bit can leave
//! the content and its checksum intact (measured: 2 of 3724 single-bit flips
//! of a 1.8 KB bundle decoded to the same archive). So every compressed byte
//! is pinned another way: body frames by the signed digest of their bytes,
//! the small frames (head, joints) by re-creating their encoding at the
//! manifest's level and comparing ([`compress`]).
//!
//! Invariants: the writer always uses the multi-threaded compressor (its
//! output does not depend on the worker count, unlike single-threaded mode),
//! with a checksum, no content size, no dictionary id and a pinned window, so
//! every frame header is the six bytes [`FRAME_HEADER`] whatever the level or
//! input (measured: magic `28 b5 2f fd`, descriptor `04` = checksum flag
//! only, window descriptor `60` = 2^22); no frame is ever empty. The reader
//! requires exactly those bytes at the start of every frame.
//! [`CountingReader`] hashes every compressed byte it passes on and fails
//! once more than the cap has arrived.

use std::cell::{Cell, RefCell};
use std::io::{self, Read, Write};
use std::rc::Rc;

use sha2::{Digest, Sha256};
use zstd::stream::raw::CParameter;
use zstd::zstd_safe::CCtx;

use super::digest::Sha256Thread;

use super::BundleError;

/// 4 MiB: bounded decoder memory, good ratio on NDJSON.
pub(crate) const WINDOW_LOG: u32 = 22;
/// Bytes per multi-threaded compression job: part of the canonical
/// parameters (it changes the output), and what bounds the encoder's memory
/// (each worker holds about one job of input and one of output).
pub(crate) const JOB_SIZE: u32 = 1 << 22;
pub(crate) const MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];
pub(crate) const FRAME_HEADER: [u8; 6] = [0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x60];

/// Levels a bundle may use: all non-ultra levels (ultra levels would make
/// the reader's re-encoding very slow).
pub(crate) const LEVELS: std::ops::RangeInclusive<i32> = 1..=19;

/// zstd workers for writing or re-encoding a bundle: one per core, at most
/// 8 (each holds about two jobs of memory). The output is the same for any
/// count.
pub fn worker_threads() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8) as u32)
}

/// The canonical frame parameters, in the order they are applied.
fn parameters(level: i32, threads: u32) -> [CParameter; 8] {
    [
        CParameter::CompressionLevel(level),
        CParameter::NbWorkers(threads.max(1)),
        CParameter::ChecksumFlag(true),
        CParameter::ContentSizeFlag(false),
        CParameter::DictIdFlag(false),
        CParameter::EnableLongDistanceMatching(false),
        CParameter::WindowLog(WINDOW_LOG),
        CParameter::JobSize(JOB_SIZE),
    ]
}

/// A compressor with the canonical frame parameters.
pub(crate) fn encoder<W: Write>(
    out: W,
    level: i32,
    threads: u32,
) -> io::Result<zstd::Encoder<'static, W>> {
    let mut enc = zstd::Encoder::new(out, level)?;
    for parameter in parameters(level, threads) {
        enc.set_parameter(parameter)?;
    }
    Ok(enc)
}

/// A sha256 being taken over bytes given in order: here, or on a thread of
/// its own ([`Sha256Thread`]).
pub(crate) trait Digester {
    fn update(&mut self, bytes: &[u8]);
    /// `sha256:<hex>` of every byte given.
    fn finish(self) -> String;
}

impl Digester for Sha256 {
    fn update(&mut self, bytes: &[u8]) {
        Digest::update(self, bytes);
    }

    fn finish(self) -> String {
        crate::model::sha256_tag(self)
    }
}

impl Digester for Sha256Thread {
    fn update(&mut self, bytes: &[u8]) {
        Sha256Thread::update(self, bytes);
    }

    fn finish(self) -> String {
        Sha256Thread::finish(self)
    }
}

/// Counts and hashes bytes on their way to `inner`.
pub(crate) struct HashingWriter<W, D = Sha256> {
    inner: W,
    hasher: D,
    count: u64,
}

impl<W: Write> HashingWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        Self::with(inner, Sha256::new())
    }
}

impl<W: Write, D: Digester> HashingWriter<W, D> {
    pub(crate) fn with(inner: W, hasher: D) -> Self {
        Self {
            inner,
            hasher,
            count: 0,
        }
    }

    /// The inner writer back, with the digest and count.
    pub(crate) fn finish_into(self) -> (W, String, u64) {
        (self.inner, self.hasher.finish(), self.count)
    }
}

thread_local! {
    /// The context [`compress`] last used on this thread, with its level.
    /// A bundle has five small frames, written or checked one after the
    /// other; making a multi-threaded context (its worker thread and
    /// tables) costs about twice what compressing one of them does.
    static SMALL: RefCell<Option<(i32, CCtx<'static>)>> = const { RefCell::new(None) };
}

/// One frame of `data` with the canonical parameters (the head and joint
/// frames are written, and checked, this way). The context is kept for the
/// next call on this thread: each frame starts a new session, so the bytes
/// are those of a fresh context.
pub(crate) fn compress(data: &[u8], level: i32) -> io::Result<Vec<u8>> {
    SMALL.with_borrow_mut(|small| {
        let cctx = match small {
            Some((kept, cctx)) if *kept == level => cctx,
            _ => {
                let mut cctx = CCtx::create();
                for parameter in parameters(level, 1) {
                    cctx.set_parameter(parameter).map_err(zstd_error)?;
                }
                &mut small.insert((level, cctx)).1
            }
        };
        let mut enc = zstd::stream::write::Encoder::with_context(Vec::new(), cctx);
        enc.write_all(data)?;
        enc.finish()
    })
}

fn zstd_error(code: usize) -> io::Error {
    io::Error::other(zstd::zstd_safe::get_error_name(code))
}

impl<W: Write, D: Digester> Write for HashingWriter<W, D> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        let written = buf.get(..n).unwrap_or(buf);
        self.hasher.update(written);
        self.count += written.len() as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Marks the error a [`CountingReader`] raises past its cap.
#[derive(Debug)]
struct OverLimit;

impl std::fmt::Display for OverLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("input over the size limit")
    }
}

impl std::error::Error for OverLimit {}

/// Wraps an I/O error of the underlying input so it is not taken for zstd's.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
struct InputError(io::Error);

/// Counts and hashes compressed input; fails once more than `cap` bytes came.
/// The count is shared ([`CountingReader::counter`]) so that the ratio cap
/// can read it while a decoder holds the input.
pub(crate) struct CountingReader<R> {
    inner: R,
    hasher: Sha256Thread,
    count: Rc<Cell<u64>>,
    cap: u64,
}

impl<R: Read> CountingReader<R> {
    pub(crate) fn new(inner: R, cap: u64) -> Self {
        Self {
            inner,
            hasher: Sha256Thread::new(),
            count: Rc::default(),
            cap,
        }
    }

    pub(crate) fn finish(self) -> (String, u64) {
        (self.hasher.finish(), self.count.get())
    }

    /// Compressed bytes read so far, now and later.
    pub(crate) fn counter(&self) -> Rc<Cell<u64>> {
        Rc::clone(&self.count)
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // One byte past the cap is enough to know the input is too large.
        let count = self.count.get();
        let room = self.cap.saturating_sub(count).saturating_add(1);
        let want = usize::try_from(room).unwrap_or(usize::MAX).min(buf.len());
        let part = buf.get_mut(..want).unwrap_or_default();
        let n = self
            .inner
            .read(part)
            .map_err(|e| io::Error::other(InputError(e)))?;
        let count = count.saturating_add(n as u64);
        self.count.set(count);
        if count > self.cap {
            return Err(io::Error::other(OverLimit));
        }
        self.hasher.update(part.get(..n).unwrap_or_default());
        Ok(n)
    }
}

/// The smallest power of two covering the window a zstd window descriptor
/// asks for (RFC 8878 3.1.1.1.2: exponent in the high five bits, eighths of
/// it to add in the low three).
pub(crate) fn window_log(descriptor: u8) -> u32 {
    10 + u32::from(descriptor >> 3) + u32::from(descriptor & 7 != 0)
}

/// Maps an error met while reading the compressed stream.
pub(crate) fn read_error(err: io::Error, limit: u64) -> BundleError {
    if err.get_ref().is_some_and(|e| e.is::<OverLimit>()) {
        return BundleError::TooLarge { limit };
    }
    if err.get_ref().is_some_and(|e| e.is::<InputError>()) {
        let inner = err
            .into_inner()
            .and_then(|e| e.downcast::<InputError>().ok());
        return match inner {
            Some(input) => BundleError::Read(input.0),
            None => BundleError::Truncated,
        };
    }
    match err.kind() {
        io::ErrorKind::UnexpectedEof => BundleError::Truncated,
        _ => BundleError::Zstd {
            detail: err.to_string(),
        },
    }
}

/// Checks the first six bytes of the input. A frame laid out like ours but
/// asking for a larger window than `max_window_log` is named as such.
pub(crate) fn check_header(found: &[u8; 6], max_window_log: u32) -> Result<(), BundleError> {
    if found.get(..4) != Some(&MAGIC[..]) {
        return Err(BundleError::NotZstd {
            found: hex::encode(found.get(..4).unwrap_or_default()),
        });
    }
    if found[4] == FRAME_HEADER[4] && window_log(found[5]) > max_window_log {
        return Err(BundleError::WindowLimit {
            window_log: window_log(found[5]),
            limit: max_window_log,
        });
    }
    if *found != FRAME_HEADER {
        return Err(BundleError::FrameHeader {
            found: hex::encode(found),
            expected: hex::encode(FRAME_HEADER),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compress(data: &[u8], level: i32, threads: u32) -> Vec<u8> {
        let mut enc = encoder(Vec::new(), level, threads).unwrap();
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn frame_header_is_the_same_for_every_level_size_and_thread_count() {
        let big: Vec<u8> = (0..3_000_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        // A bundle is never empty: writes always come before `finish`, so zstd
        // never learns the size and never shrinks the window (it does for an
        // empty input, where the first call is the end of the stream).
        for data in [&b"x"[..], &big[..100_000], &big] {
            for (level, threads) in [(1, 1), (3, 1), (3, 2), (19, 2)] {
                let out = compress(data, level, threads);
                assert_eq!(
                    out.get(..6),
                    Some(&FRAME_HEADER[..]),
                    "len {} level {level}",
                    data.len()
                );
            }
        }
        assert_eq!(compress(&big, 3, 1), compress(&big, 3, 2));
    }

    /// The kept context gives the bytes of a fresh encoder, frame after
    /// frame, across a change of level, and after a frame left unfinished.
    #[test]
    fn small_frames_from_the_kept_context_are_those_of_a_fresh_one() {
        let data: Vec<u8> = (0..300_000u32)
            .flat_map(|i| (i % 97).to_le_bytes())
            .collect();
        for (part, level) in [(10, 3), (1_000, 3), (300_000, 19), (7, 3), (131_072, 1)] {
            let part = data.get(..part).unwrap();
            assert_eq!(
                super::compress(part, level).unwrap(),
                compress(part, level, 1)
            );
        }
        SMALL.with_borrow_mut(|small| {
            let (_, cctx) = small.as_mut().unwrap();
            let mut enc = zstd::stream::write::Encoder::with_context(Vec::new(), cctx);
            enc.write_all(&data).unwrap();
            // Dropped mid-frame: the next frame must not continue it.
        });
        assert_eq!(
            super::compress(b"after", 1).unwrap(),
            compress(b"after", 1, 1)
        );
    }

    #[test]
    fn counting_reader_refuses_one_byte_past_the_cap() {
        let mut ok = CountingReader::new(&[7u8; 10][..], 10);
        assert_eq!(io::copy(&mut ok, &mut io::sink()).unwrap(), 10);
        let mut over = CountingReader::new(&[7u8; 11][..], 10);
        let err = io::copy(&mut over, &mut io::sink()).unwrap_err();
        assert!(matches!(
            read_error(err, 10),
            BundleError::TooLarge { limit: 10 }
        ));
    }
}
