//! The zstd layer: encoder parameters and the one frame header they
//! produce.
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
//! requires exactly those bytes at the start of every frame. The bytes on
//! either side of the compressor are counted and hashed in `io/counted.rs`.

use std::cell::RefCell;
use std::io::{self, Write};

use zstd::stream::raw::CParameter;
use zstd::zstd_safe::CCtx;

use crate::bundle::error::BundleError;

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

thread_local! {
    /// The context [`compress`] last used on this thread, with its level.
    /// A bundle has five small frames (and any member under a megabyte),
    /// written or checked one after the other; making a multi-threaded
    /// context (its worker threads and tables) costs about twice what
    /// compressing one of them does. It has two workers, not one: a frame's
    /// end waits for its last job, and with one worker the next frame's
    /// first job often finds that worker not yet back in the pool, so zstd
    /// spins on its lock for milliseconds (measured: delta exports bimodal
    /// between 6 and 10 ms with one worker, steady with two).
    static SMALL: RefCell<Option<(i32, CCtx<'static>)>> = const { RefCell::new(None) };
}

/// One frame of `data` with the canonical parameters (the head and joint
/// frames, and members too small to stream, are written, and checked, this
/// way). The context is kept for the next call on this thread: each frame
/// starts a new session, so the bytes are those of a fresh context.
pub(crate) fn compress(data: &[u8], level: i32) -> io::Result<Vec<u8>> {
    SMALL.with_borrow_mut(|small| {
        let cctx = match small {
            Some((kept, cctx)) if *kept == level => cctx,
            _ => {
                let mut cctx = CCtx::create();
                for parameter in parameters(level, 2) {
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

/// The smallest power of two covering the window a zstd window descriptor
/// asks for (RFC 8878 3.1.1.1.2: exponent in the high five bits, eighths of
/// it to add in the low three).
pub(crate) fn window_log(descriptor: u8) -> u32 {
    10 + u32::from(descriptor >> 3) + u32::from(descriptor & 7 != 0)
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
}
