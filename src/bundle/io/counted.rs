//! Byte accounting on either side of the compressor: [`HashingWriter`]
//! counts and hashes what a writer passes on (a body frame, the bundle),
//! [`CountingReader`] counts and hashes the compressed input and fails once
//! more than its cap has arrived, and [`read_error`] names what went wrong
//! while reading.
//!
//! Invariant: a digest covers exactly the bytes passed on, in order: a
//! short write or read is hashed for what it moved, never for what it was
//! given.

use std::cell::Cell;
use std::io::{self, Read, Write};
use std::rc::Rc;

use sha2::{Digest, Sha256};

use super::digest::Sha256Thread;
use crate::bundle::error::BundleError;

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

#[cfg(test)]
mod tests {
    use super::*;

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
