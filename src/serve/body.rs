//! A request body as an owned reader: the bytes already buffered after the
//! head, then the socket, framed by `Content-Length` or `chunked`.
//!
//! It owns a clone of the socket, so an import can read it as any other
//! `Read + 'static`. The source is generic (the socket by default) so the
//! decoder can also run over plain bytes: the `http_body` fuzz target and
//! the tests do. Reads time out as the socket's read timeout says; a
//! body cut short is an `UnexpectedEof` error, never a silent end, and a
//! malformed chunk is `InvalidData`. `Expect: 100-continue` is answered on
//! the first read, so a refused request never invites its body.

use std::io::{self, BufRead, BufReader, Chain, Cursor, Read, Write};
use std::net::TcpStream;

use super::request::Framing;

/// Longest chunk-size line and trailer line accepted.
const MAX_LINE: u64 = 4096;
const MAX_TRAILERS: usize = 32;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Size,
    Data,
    Done,
}

pub struct Body<S = TcpStream> {
    src: BufReader<Chain<Cursor<Vec<u8>>, S>>,
    chunked: bool,
    left: u64,
    state: State,
    continue_to: Option<TcpStream>,
}

impl<S: Read> Body<S> {
    /// `buffered` (read past the head already), then `stream`. The
    /// `100 Continue` goes to `send_continue` on the first read.
    pub fn new(
        buffered: Vec<u8>,
        stream: S,
        framing: Framing,
        send_continue: Option<TcpStream>,
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

    fn line(&mut self) -> io::Result<String> {
        let mut line = Vec::new();
        self.src
            .by_ref()
            .take(MAX_LINE)
            .read_until(b'\n', &mut line)?;
        match line.strip_suffix(b"\r\n") {
            Some(l) => String::from_utf8(l.to_vec()).map_err(|_| malformed("non-ASCII chunk line")),
            None if line.len() as u64 == MAX_LINE => Err(malformed("chunk line too long")),
            None => Err(cut()),
        }
    }

    fn next_chunk(&mut self) -> io::Result<()> {
        let line = self.line()?;
        let digits = line
            .split(';')
            .next()
            .unwrap_or("")
            .trim_end_matches([' ', '\t']);
        if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(malformed("bad chunk size"));
        }
        self.left = u64::from_str_radix(digits, 16).map_err(|_| malformed("bad chunk size"))?;
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
mod tests {
    use super::*;
    use std::net::{TcpListener, TcpStream};

    /// A body over a real socket pair; `wire` is what the client sent.
    fn body(framing: Framing, buffered: &[u8], wire: &[u8]) -> (Body, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        client.write_all(wire).unwrap();
        client.shutdown(std::net::Shutdown::Write).unwrap();
        (Body::new(buffered.to_vec(), server, framing, None), client)
    }

    #[test]
    fn chunked_bodies_decode_across_the_buffer_and_socket() {
        let (mut b, _c) = body(
            Framing::Chunked,
            b"5\r\nhel",
            b"lo\r\n6;x=y\r\n world\r\n0\r\nT: v\r\n\r\n",
        );
        let mut out = String::new();
        b.read_to_string(&mut out).unwrap();
        assert_eq!(out, "hello world");
        assert!(b.is_finished());
    }

    #[test]
    fn a_length_body_stops_at_its_length_and_a_cut_one_fails() {
        let (mut b, _c) = body(Framing::Length(4), b"ab", b"cdNEXT");
        let mut out = Vec::new();
        b.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"abcd");
        let (mut b, _c) = body(Framing::Length(10), b"", b"abc");
        let err = b.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn malformed_chunks_fail() {
        for wire in [
            &b"zz\r\n"[..],
            b"5\r\nhelloXX0\r\n\r\n",
            b"ffffffffffffffffff\r\n",
        ] {
            let (mut b, _c) = body(Framing::Chunked, b"", wire);
            let err = b.read_to_end(&mut Vec::new()).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidData, "{wire:?}");
        }
    }

    /// `data` in chunks of the given sizes (cycled), some with an extension,
    /// then the last chunk and a trailer.
    fn chunked(data: &[u8], sizes: &[usize]) -> Vec<u8> {
        let mut wire = Vec::new();
        let (mut rest, mut i) = (data, 0);
        while !rest.is_empty() {
            let n = sizes[i % sizes.len()].clamp(1, rest.len());
            let ext = if i % 2 == 1 { ";ext=1" } else { "" };
            wire.extend_from_slice(format!("{n:x}{ext}\r\n").as_bytes());
            wire.extend_from_slice(&rest[..n]);
            wire.extend_from_slice(b"\r\n");
            (rest, i) = (&rest[n..], i + 1);
        }
        wire.extend_from_slice(b"0\r\nX-Trailer: 1\r\n\r\n");
        wire
    }

    proptest::proptest! {
        /// Any data, chunked any way and split anywhere between the bytes
        /// read with the head and the rest, decodes to itself.
        #[test]
        fn chunked_data_decodes_to_itself(
            data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048),
            sizes in proptest::collection::vec(1usize..600, 1..4),
            split in proptest::prelude::any::<proptest::sample::Index>(),
        ) {
            let wire = chunked(&data, &sizes);
            let (buffered, rest) = wire.split_at(split.index(wire.len() + 1));
            let mut b = Body::new(buffered.to_vec(), rest, Framing::Chunked, None);
            let mut out = Vec::new();
            b.read_to_end(&mut out).unwrap();
            proptest::prop_assert_eq!(out, data);
            proptest::prop_assert!(b.is_finished());
        }

        /// The `http_body` fuzz target's invariants, on any bytes: never a
        /// panic, never more bytes out than in, only the two error kinds.
        #[test]
        fn any_bytes_decode_or_fail_cleanly(
            wire in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512),
            length in 0u64..600,
            is_chunked in proptest::prelude::any::<bool>(),
        ) {
            let framing = if is_chunked { Framing::Chunked } else { Framing::Length(length) };
            let mut b = Body::new(Vec::new(), &wire[..], framing, None);
            let mut out = Vec::new();
            match b.read_to_end(&mut out) {
                Ok(_) => {
                    proptest::prop_assert!(b.is_finished());
                    proptest::prop_assert!(out.len() <= wire.len());
                    if !is_chunked {
                        proptest::prop_assert_eq!(out.len() as u64, length);
                    }
                }
                Err(e) => proptest::prop_assert!(matches!(
                    e.kind(),
                    io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof
                )),
            }
        }
    }
}
