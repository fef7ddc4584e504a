//! Framing of responses: bytes, streams, `HEAD`, HTTP/1.0, `405`.

use super::*;

#[test]
fn bytes_and_streams_are_framed() {
    let mut out = Vec::new();
    send(
        Response::bytes(200, "text/plain", b"ok\n".to_vec()),
        &mut out,
        How::default(),
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n"
    );
    let mut out = Vec::new();
    let writer: Writer<'_> = Box::new(|w| w.write_all(b"hello"));
    send(
        Response::stream(200, "application/zstd", writer),
        &mut out,
        How::closing(),
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "HTTP/1.1 200 OK\r\nContent-Type: application/zstd\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    );
}

fn sent(response: Response<'_>, how: How) -> String {
    let mut out = Vec::new();
    send(response, &mut out, how).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn a_head_answer_has_no_body_and_a_405_says_what_is_allowed() {
    let head = How {
        head: true,
        ..How::default()
    };
    let refused = sent(Response::error(&ApiError::method_not_allowed("GET")), head);
    let body = "{\n  \"success\": false,\n  \"reason\": \"method_not_allowed\",\n  \"error\": \"method not allowed on this endpoint: use GET\"\n}\n";
    assert_eq!(
        refused,
        format!(
            "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nAllow: GET\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
    );
    let writer: Writer<'_> = Box::new(|w| w.write_all(b"never"));
    assert_eq!(
        sent(Response::stream(200, "application/zstd", writer), head),
        "HTTP/1.1 200 OK\r\nContent-Type: application/zstd\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
}

#[test]
fn an_http10_client_gets_a_stream_unframed_and_the_close() {
    let http10 = How {
        http10: true,
        ..How::default()
    };
    let writer: Writer<'_> = Box::new(|w| w.write_all(b"hello"));
    assert_eq!(
        sent(Response::stream(200, "application/zstd", writer), http10),
        "HTTP/1.1 200 OK\r\nContent-Type: application/zstd\r\nConnection: close\r\n\r\nhello"
    );
}
