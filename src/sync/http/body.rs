//! Response bodies, framed: `chunked` (decoded; trailers read and
//! dropped; a chunk-size line over 4 KiB refused) or `Content-Length`.
//!
//! Invariant: a body that ends before its framing says it does is an
//! `UnexpectedEof` error, never a short but successful read.

use std::io::{self, BufRead, Read};

/// A `Content-Length` body: fewer bytes than it says is an error.
pub struct Exact<R> {
    pub inner: io::Take<R>,
    pub left: u64,
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && self.left > 0 && !buf.is_empty() {
            return Err(cut());
        }
        self.left -= n as u64;
        Ok(n)
    }
}

fn cut() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "the connection closed inside the body",
    )
}

/// A `chunked` body, decoded; trailers are read and dropped.
pub struct Chunked<R> {
    inner: R,
    left: u64,
    done: bool,
}

impl<R: BufRead> Chunked<R> {
    pub fn new(inner: R) -> Chunked<R> {
        Chunked {
            inner,
            left: 0,
            done: false,
        }
    }

    fn line(&mut self) -> io::Result<Vec<u8>> {
        let mut line = Vec::new();
        self.inner
            .by_ref()
            .take(4096)
            .read_until(b'\n', &mut line)?;
        if !line.ends_with(b"\n") {
            return Err(cut());
        }
        Ok(line)
    }

    fn next_size(&mut self) -> io::Result<u64> {
        let line = self.line()?;
        match httparse::parse_chunk_size(&line) {
            Ok(httparse::Status::Complete((_, size))) => Ok(size),
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a malformed chunk size",
            )),
        }
    }
}

impl<R: BufRead> Read for Chunked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            self.left = self.next_size()?;
            if self.left == 0 {
                while self.line()? != b"\r\n" {}
                self.done = true;
                return Ok(0);
            }
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(cut());
        }
        self.left -= n as u64;
        if self.left == 0 {
            let mut end = [0; 2];
            self.inner.read_exact(&mut end).map_err(|_| cut())?;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunked_body_decodes_and_a_cut_one_is_an_error() {
        let whole = b"5\r\nhello\r\n1;x=y\r\n!\r\n0\r\nTrailer: z\r\n\r\n";
        let mut text = String::new();
        Chunked::new(&whole[..]).read_to_string(&mut text).unwrap();
        assert_eq!(text, "hello!");
        let mut sink = Vec::new();
        let cut = Chunked::new(&whole[..12])
            .read_to_end(&mut sink)
            .unwrap_err();
        assert_eq!(cut.kind(), io::ErrorKind::UnexpectedEof);
        let exact = Exact {
            inner: (&b"abc"[..]).take(5),
            left: 5,
        }
        .read_to_end(&mut sink);
        assert_eq!(exact.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    }
}
