//! A request body as an owned reader: the bytes already buffered after the
//! head, then the socket, framed by `Content-Length` or `chunked`.
//!
//! It owns a clone of the connection's stream (plain or TLS), so an import can read it as any other
//! `Read + 'static`. The source is generic (the socket by default) so the
//! decoder can also run over plain bytes: the `http_body` fuzz target and
//! the tests do. Reads time out as the socket's read timeout says; a
//! body cut short is an `UnexpectedEof` error, never a silent end, and a
//! malformed chunk is `InvalidData`. `Expect: 100-continue` is answered on
//! the first read, so a refused request never invites its body.
//! [`Body::spool_to`] reads a whole body ahead, within a cap (`spool`).
//!
//! Invariants: chunk-size lines are parsed by `httparse` (a size needs a
//! hex digit first; the whole line must be consumed); line lengths,
//! trailer counts and framing stay stella's own.

use super::request::Framing;
use super::tls_stream::Stream;
use std::io::{self, BufRead, BufReader, Chain, Cursor, Read, Write};

mod spool;
pub use spool::SpoolError;

/// Longest chunk-size line and trailer line accepted.
const MAX_LINE: u64 = 4096;
const MAX_TRAILERS: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Size,
    Data,
    Done,
}

pub struct Body<S = Stream> {
    src: BufReader<Chain<Cursor<Vec<u8>>, S>>,
    chunked: bool,
    left: u64,
    state: State,
    continue_to: Option<Stream>,
}

impl<S: Read> Body<S> {
    /// `buffered` (read past the head already), then `stream`. The
    /// `100 Continue` goes to `send_continue` on the first read.
    pub fn new(
        buffered: Vec<u8>,
        stream: S,
        framing: Framing,
        send_continue: Option<Stream>,
    ) -> Body<S> {
        let (chunked, left, state) = match framing {
            Framing::None => (false, 0, State::Done),
            Framing::Length(n) => (false, n, State::Data),
            Framing::Chunked => (true, 0, State::Size),
        };
        Body {
            src: BufReader::with_capacity(1 << 16, Cursor::new(buffered).chain(stream)),
            chunked,
            left,
            state,
            continue_to: send_continue,
        }
    }

    /// Whether the whole body was read (the connection may then be reused).
    pub fn is_finished(&self) -> bool {
        self.state == State::Done || (!self.chunked && self.left == 0)
    }

    /// One CRLF-terminated line, with its CRLF.
    fn raw_line(&mut self) -> io::Result<Vec<u8>> {
        let mut line = Vec::new();
        self.src
            .by_ref()
            .take(MAX_LINE)
            .read_until(b'\n', &mut line)?;
        if line.ends_with(b"\r\n") {
            Ok(line)
        } else if line.len() as u64 == MAX_LINE {
            Err(malformed("chunk line too long"))
        } else {
            Err(cut())
        }
    }

    /// One trailer line, without its CRLF.
    fn line(&mut self) -> io::Result<String> {
        let mut line = self.raw_line()?;
        line.truncate(line.len() - 2);
        String::from_utf8(line).map_err(|_| malformed("non-ASCII chunk line"))
    }

    /// A chunk-size line (`httparse`'s syntax): the size must have a digit.
    fn next_chunk(&mut self) -> io::Result<()> {
        let line = self.raw_line()?;
        if !line.first().is_some_and(u8::is_ascii_hexdigit) {
            return Err(malformed("bad chunk size"));
        }
        self.left = match httparse::parse_chunk_size(&line) {
            Ok(httparse::Status::Complete((used, size))) if used == line.len() => size,
            _ => return Err(malformed("bad chunk size")),
        };
        if self.left > 0 {
            self.state = State::Data;
            return Ok(());
        }
        for _ in 0..MAX_TRAILERS {
            if self.line()?.is_empty() {
                self.state = State::Done;
                return Ok(());
            }
        }
        Err(malformed("too many trailer lines"))
    }

    fn data(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.src.read(&mut buf[..want])?;
        if n == 0 {
            return Err(cut());
        }
        self.left -= n as u64;
        if self.left == 0 && self.chunked {
            let mut crlf = [0u8; 2];
            self.src.read_exact(&mut crlf).map_err(|_| cut())?;
            if &crlf != b"\r\n" {
                return Err(malformed("chunk data not followed by CRLF"));
            }
            self.state = State::Size;
        }
        Ok(n)
    }
}

impl<S: Read> Read for Body<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(mut stream) = self.continue_to.take() {
            stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match self.state {
                State::Done => return Ok(0),
                State::Data if self.left == 0 => return Ok(0),
                State::Data => return self.data(buf),
                State::Size => self.next_chunk()?,
            }
        }
    }
}

fn malformed(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("malformed chunked body: {what}"),
    )
}

fn cut() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "the client closed the connection before the end of the body",
    )
}

#[cfg(test)]
mod tests;
