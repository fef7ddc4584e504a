//! A view of buffered input that sees exactly the bytes its consumer
//! consumes. zstd's streaming decoder reads through `BufRead` and consumes
//! only the bytes of the frame it decodes, so a [`Tap`] between the two
//! hashes a body frame, or records a small frame, to the byte, whatever the
//! buffering below.
//!
//! Invariant: `consume(n)` only follows a `fill_buf` that returned at least
//! `n` bytes (the `BufRead` contract), so looking at the buffer again in
//! `consume` never does I/O.

use std::io::{self, BufRead, Read};

use super::digest::Sha256Thread;

/// What a [`Tap`] does with consumed bytes.
pub(crate) enum Consumed {
    Hash(Sha256Thread),
    /// Keeps at most `cap` bytes; `over` records that more came.
    Record {
        bytes: Vec<u8>,
        cap: usize,
        over: bool,
    },
}

pub(crate) struct Tap<R> {
    inner: R,
    consumed: Consumed,
}

impl<R: BufRead> Tap<R> {
    pub(crate) fn hashing(inner: R) -> Self {
        Self {
            inner,
            consumed: Consumed::Hash(Sha256Thread::new()),
        }
    }

    pub(crate) fn recording(inner: R, cap: usize) -> Self {
        let consumed = Consumed::Record {
            bytes: Vec::new(),
            cap,
            over: false,
        };
        Self { inner, consumed }
    }

    /// More bytes came than a recording may keep.
    pub(crate) fn over(&self) -> bool {
        matches!(self.consumed, Consumed::Record { over: true, .. })
    }

    pub(crate) fn into_parts(self) -> (R, Consumed) {
        (self.inner, self.consumed)
    }
}

impl<R: BufRead> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf.get_mut(..n)
            .unwrap_or_default()
            .copy_from_slice(available.get(..n).unwrap_or_default());
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tap<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        if n > 0
            && let Ok(buffer) = self.inner.fill_buf()
        {
            let part = buffer.get(..n).unwrap_or(buffer);
            match &mut self.consumed {
                Consumed::Hash(h) => h.update(part),
                Consumed::Record { bytes, cap, over } => match bytes.len() + part.len() <= *cap {
                    true => bytes.extend_from_slice(part),
                    false => *over = true,
                },
            }
        }
        self.inner.consume(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decoder_through_a_tap_sees_exactly_one_frame() {
        let one = crate::bundle::format::frame::compress(b"first", 3).unwrap();
        let two = crate::bundle::format::frame::compress(b"second", 3).unwrap();
        let input = [&one[..], &two[..]].concat();
        let mut buffered = io::BufReader::new(&input[..]);
        let tap = Tap::recording(&mut buffered, 1 << 10);
        let mut dec = zstd::stream::read::Decoder::with_buffer(tap)
            .unwrap()
            .single_frame();
        let mut out = Vec::new();
        dec.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"first");
        let Consumed::Record { bytes, over, .. } = dec.finish().into_parts().1 else {
            panic!("recording");
        };
        assert_eq!((bytes, over), (one, false));
        let mut rest = Vec::new();
        buffered.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, two);
    }
}
