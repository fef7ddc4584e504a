//! `http_body`: the `feedser serve` request-body decoder (chunk-size lines
//! through `httparse`) on raw bytes, as a client could send them after the
//! head. The first byte picks the framing
//! (chunked, a `Content-Length` of that byte's value, or none) and where the
//! rest splits between the bytes read with the head and the socket.
//!
//! Invariants checked: a body read to its end is finished and holds no more
//! bytes than were sent; a `Content-Length` body yields exactly its length;
//! every failure is `InvalidData` (malformed chunk) or `UnexpectedEof` (cut
//! short), never a panic or a silent short body.
#![no_main]

use std::io::{ErrorKind, Read};

use libfuzzer_sys::fuzz_target;
use stella::serve::{Body, Framing};

fuzz_target!(|data: &[u8]| {
    let Some((&first, wire)) = data.split_first() else {
        return;
    };
    let framing = match first % 3 {
        0 => Framing::Chunked,
        1 => Framing::Length(u64::from(first)),
        _ => Framing::None,
    };
    let (buffered, socket) = wire.split_at(usize::from(first) % (wire.len() + 1));
    let mut body = Body::new(buffered.to_vec(), socket, framing, None);
    let mut out = Vec::new();
    match body.read_to_end(&mut out) {
        Ok(_) => {
            assert!(body.is_finished(), "a body read to its end is finished");
            assert!(out.len() <= wire.len(), "decoding never grows a body");
            if let Framing::Length(n) = framing {
                assert_eq!(out.len() as u64, n, "a length body yields its length");
            }
        }
        Err(e) => assert!(
            matches!(e.kind(), ErrorKind::InvalidData | ErrorKind::UnexpectedEof),
            "unexpected error kind: {e}"
        ),
    }
});
