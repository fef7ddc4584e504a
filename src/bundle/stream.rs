//! The decompressed archive as the reader walks it: one zstd frame over a
//! capped, hashing input, read header by header with every error mapped to a
//! [`BundleError`]. After the last member it requires the two zero blocks,
//! the end of the frame (which checks zstd's content checksum) and the end of
//! the input, and only then reports the hash of the compressed bytes.

use std::io::{self, BufRead, BufReader, Chain, Read, Write};

use super::frame::{self, CountingReader, HashingWriter, read_error};
use super::spool::{LineCounter, Tally};
use super::tarfmt::{self, BLOCK};
use super::{ArchivePath, BundleError, Limits, Member};

type Input<'a> = BufReader<Chain<io::Cursor<[u8; 6]>, CountingReader<Box<dyn Read + 'a>>>>;

pub(crate) struct TarStream<'a> {
    dec: zstd::stream::read::Decoder<'static, Input<'a>>,
    limit: u64,
    tee: Tee,
    /// Decompressed bytes so far, and how many per compressed byte may come.
    decoded: u64,
    max_ratio: u64,
}

/// Compressed input below this size counts as this size for the ratio cap,
/// so a tiny honest bundle (mostly tar padding) is never taken for a bomb.
const RATIO_FLOOR: u64 = 64 << 10;

/// The re-encoding of what has been decoded so far.
enum Tee {
    /// Bytes decoded before the level is known (manifest and envelope).
    Pending(Vec<u8>),
    Encoding(i32, zstd::Encoder<'static, HashingWriter<io::Sink>>),
}

fn reencode_error(err: io::Error) -> BundleError {
    BundleError::Zstd {
        detail: format!("re-encoding failed: {err}"),
    }
}

impl<'a> TarStream<'a> {
    /// Checks the frame header and starts decoding.
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
        let input = BufReader::new(io::Cursor::new(head).chain(counting));
        let mut dec = zstd::stream::read::Decoder::with_buffer(input)
            .map_err(BundleError::Read)?
            .single_frame();
        dec.window_log_max(limits.max_window_log)
            .map_err(|e| read_error(e, limit))?;
        Ok(Self {
            dec,
            limit,
            tee: Tee::Pending(Vec::new()),
            decoded: 0,
            max_ratio: limits.max_ratio,
        })
    }

    /// Starts re-encoding at `level`, from the first decoded byte.
    pub(crate) fn reencode_at(&mut self, level: i32) -> Result<(), BundleError> {
        if let Tee::Pending(prefix) = &self.tee {
            // On worker threads: the re-encoding runs beside the decoder.
            let mut enc = frame::encoder(
                HashingWriter::new(io::sink()),
                level,
                frame::worker_threads(),
            )
            .map_err(reencode_error)?;
            enc.write_all(prefix).map_err(reencode_error)?;
            self.tee = Tee::Encoding(level, enc);
        }
        Ok(())
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), BundleError> {
        self.dec
            .read_exact(buf)
            .map_err(|e| read_error(e, self.limit))?;
        self.check_ratio(buf.len())?;
        match &mut self.tee {
            Tee::Pending(prefix) => prefix.extend_from_slice(buf),
            Tee::Encoding(_, enc) => enc.write_all(buf).map_err(reencode_error)?,
        }
        Ok(())
    }

    /// Counts `n` more decoded bytes against the compressed bytes read so
    /// far (which include the decoder's read-ahead, so the count is generous).
    fn check_ratio(&mut self, n: usize) -> Result<(), BundleError> {
        self.decoded = self.decoded.saturating_add(n as u64);
        let (_, counting) = self.dec.get_ref().get_ref().get_ref();
        let allowed = counting
            .count()
            .max(RATIO_FLOOR)
            .saturating_mul(self.max_ratio);
        match self.decoded > allowed {
            true => Err(BundleError::RatioExceeded {
                ratio: self.max_ratio,
            }),
            false => Ok(()),
        }
    }

    fn header(&mut self, expected: &'static str, earlier: &[&str]) -> Result<u64, BundleError> {
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

    fn padding(&mut self, path: &'static str, size: u64) -> Result<(), BundleError> {
        let mut pad = [0u8; BLOCK];
        let pad = pad.get_mut(..tarfmt::padding(size)).unwrap_or_default();
        self.read_exact(pad)?;
        match pad.iter().all(|b| *b == 0) {
            true => Ok(()),
            false => Err(BundleError::NonZeroPadding { path }),
        }
    }

    /// A member read whole into memory (manifest, envelope).
    pub(crate) fn small_member(
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

    /// An NDJSON member of `size` bytes streamed into `sink`, counted and hashed.
    pub(crate) fn ndjson_member(
        &mut self,
        member: Member,
        size: u64,
        max_line: u64,
        sink: &mut dyn Write,
    ) -> Result<Tally, BundleError> {
        let path = member.path();
        let mut counter = LineCounter::new(path, max_line);
        let mut buf = vec![0u8; 64 << 10];
        let mut left = size;
        while left > 0 {
            let n = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
            let chunk = buf.get_mut(..n).unwrap_or_default();
            self.read_exact(chunk)?;
            counter.update(chunk)?;
            sink.write_all(chunk).map_err(|source| BundleError::Spool {
                path: path.into(),
                source,
            })?;
            left -= n as u64;
        }
        self.padding(path, size)?;
        Ok(counter.finish())
    }

    /// Reads the header of `member` and returns its size.
    pub(crate) fn member_header(
        &mut self,
        member: Member,
        earlier: &[&str],
    ) -> Result<u64, BundleError> {
        self.header(member.path(), earlier)
    }

    /// Trailer, end of frame, end of input: returns the bundle hash and size.
    pub(crate) fn finish(mut self) -> Result<(String, u64), BundleError> {
        let mut trailer = [0u8; tarfmt::TRAILER];
        self.read_exact(&mut trailer)?;
        if let Some(first) = trailer
            .first_chunk::<BLOCK>()
            .filter(|b| **b != [0u8; BLOCK])
        {
            return Err(extra_member(first));
        }
        if trailer.iter().any(|b| *b != 0) {
            return Err(BundleError::BadTrailer);
        }
        let mut one = [0u8; 1];
        if self
            .dec
            .read(&mut one)
            .map_err(|e| read_error(e, self.limit))?
            != 0
        {
            return Err(BundleError::TrailingData);
        }
        let mut input = self.dec.into_inner();
        if !input
            .fill_buf()
            .map_err(|e| read_error(e, self.limit))?
            .is_empty()
        {
            return Err(BundleError::TrailingData);
        }
        let (_, counting) = input.into_inner().into_inner();
        let (hash, size) = counting.finish();
        let Tee::Encoding(level, enc) = self.tee else {
            return Err(BundleError::Zstd {
                detail: "re-encoding never started".into(),
            });
        };
        let (canonical, _) = enc.finish().map_err(reencode_error)?.finish();
        if canonical != hash {
            return Err(BundleError::NonCanonicalCompression { level });
        }
        Ok((hash, size))
    }
}

fn extra_member(block: &[u8; BLOCK]) -> BundleError {
    let h = tar::Header::from_byte_slice(block);
    match ArchivePath::from_bytes(&h.path_bytes()) {
        Err(unsafe_path) => unsafe_path,
        Ok(path) if super::path::KNOWN.contains(&path.as_str()) => BundleError::DuplicateMember {
            path: path.to_string(),
        },
        Ok(path) => BundleError::ExtraMember {
            path: path.to_string(),
        },
    }
}
