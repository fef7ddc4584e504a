//! The body decoder: chunked and length bodies over a socket and over
//! plain bytes, malformed and cut-short ones.

use super::*;
use std::net::{TcpListener, TcpStream};

/// A body over a real socket pair; `wire` is what the client sent.
fn body(framing: Framing, buffered: &[u8], wire: &[u8]) -> (Body, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    client.write_all(wire).unwrap();
    client.shutdown(std::net::Shutdown::Write).unwrap();
    let server = Stream::Plain(server);
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

/// Chunk-size lines `httparse` would take but stella refuses, or that it
/// refuses itself: no digit before the end or extension, a bare CR.
#[test]
fn chunk_size_lines_need_a_digit_and_a_clean_crlf() {
    for wire in [
        &b"\r\n\r\n"[..],
        b";x\r\n\r\n",
        b" 5\r\nhello\r\n0\r\n\r\n",
        b"5;a\rb\r\n",
    ] {
        let mut b = Body::new(Vec::new(), wire, Framing::Chunked, None);
        let err = b.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData, "{wire:?}");
        assert_eq!(err.to_string(), "malformed chunked body: bad chunk size");
    }
    let wire = b"5 ;x=\"y\"\r\nhello\r\nA\r\n0123456789\r\n0\r\n\r\n";
    let mut b = Body::new(Vec::new(), &wire[..], Framing::Chunked, None);
    let mut out = Vec::new();
    b.read_to_end(&mut out).unwrap();
    assert_eq!(out, b"hello0123456789");
}
