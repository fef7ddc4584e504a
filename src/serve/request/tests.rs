//! The strict head parser: plain heads, smuggling shapes, any bytes.

use super::*;

fn head(text: &str) -> Result<Head, ApiError> {
    parse(text.as_bytes(), 100, 16384)
}

#[test]
fn a_plain_request_parses() {
    let h =
        head("POST /a/b?x=1&y=2 HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\nX-Y:  v \t").unwrap();
    assert_eq!(
        (h.method.as_str(), h.path.as_str(), h.query.as_str()),
        ("POST", "/a/b", "x=1&y=2")
    );
    assert_eq!(h.framing, Framing::Length(12));
    assert_eq!(h.header("x-y"), Some("v"));
    assert!(!h.wants_close());
}

#[test]
fn smuggling_shapes_are_refused() {
    let both = "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked";
    assert_eq!(
        head(both).unwrap_err(),
        bad("both Content-Length and Transfer-Encoding")
    );
    let two = "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3";
    assert!(matches!(head(two), Err(ApiError::BadRequest(_))));
    for cl in ["+3", "3 ", "0x3", "", "99999999999999999999"] {
        let text = format!("POST / HTTP/1.1\r\nContent-Length: {cl}x");
        assert!(matches!(head(&text), Err(ApiError::BadRequest(_))), "{cl}");
    }
    let space = "POST / HTTP/1.1\r\nContent-Length : 3";
    assert!(matches!(head(space), Err(ApiError::BadRequest(_))));
    let fold = "GET / HTTP/1.1\r\nX: a\r\n b";
    assert!(matches!(head(fold), Err(ApiError::BadRequest(_))));
    let gzip = "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked";
    assert!(matches!(head(gzip), Err(ApiError::NotImplemented(_))));
    // HTTP/1.0 has no transfer coding: not "unsupported `chunked`, send
    // `chunked`", as it was answered.
    let old = "POST / HTTP/1.0\r\nTransfer-Encoding: chunked";
    assert_eq!(
        head(old).unwrap_err(),
        bad(
            "an HTTP/1.0 request cannot use Transfer-Encoding: send a Content-Length, or speak HTTP/1.1"
        )
    );
    assert!(matches!(
        head("GET / HTTP/2.0"),
        Err(ApiError::BadRequest(_))
    ));
    assert!(matches!(
        head("GET  / HTTP/1.1"),
        Err(ApiError::BadRequest(_))
    ));
    assert!(matches!(
        head("GET / HTTP/1.1\r\nX: a\nY: b"),
        Err(ApiError::BadRequest(_))
    ));
}

proptest::proptest! {
    /// Any bytes: a head or a named refusal, never a panic; a head that
    /// parses holds only what the strict rules allow.
    #[test]
    fn any_bytes_parse_or_are_refused(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
        if let Ok(h) = parse(&bytes, 8, 1024) {
            proptest::prop_assert!(h.path.starts_with('/'));
            proptest::prop_assert!(h.headers.len() <= 8);
            let clean = |s: &str| !s.contains(['\r', '\n']);
            proptest::prop_assert!(h.headers.iter().all(|(n, v)| clean(n) && clean(v)));
        }
    }

    /// Heads built from allowed pieces parse back to those pieces.
    #[test]
    fn well_formed_heads_round_trip(
        method in "[A-Z]{1,7}",
        path in "/[a-z0-9/._-]{0,20}",
        query in "[a-z0-9=&%]{0,20}",
        headers in proptest::collection::vec(("[A-Za-z][A-Za-z0-9-]{0,10}", "[ -~]{0,20}"), 0..6),
    ) {
        let mut text = format!("{method} {path}?{query} HTTP/1.1");
        for (name, value) in &headers {
            text.push_str(&format!("\r\nX-{name}: {value}"));
        }
        let h = parse(text.as_bytes(), 8, 1024).unwrap();
        proptest::prop_assert_eq!((&h.method, &h.path, &h.query), (&method, &path, &query));
        for ((name, value), (got_name, got_value)) in headers.iter().zip(&h.headers) {
            proptest::prop_assert_eq!(got_name, &format!("X-{name}"));
            proptest::prop_assert_eq!(got_value.as_str(), value.trim_matches([' ', '\t']));
        }
        proptest::prop_assert_eq!(h.framing, Framing::None);
    }
}

#[test]
fn too_many_headers_are_refused() {
    let text = format!("GET / HTTP/1.1{}", "\r\nX: y".repeat(101));
    assert!(matches!(head(&text), Err(ApiError::HeadTooLarge { .. })));
}

#[test]
fn refusals_name_the_part_that_is_wrong() {
    let cases = [
        (
            "GET / HTTP/2.0",
            "only HTTP/1.1 and HTTP/1.0 are spoken here",
        ),
        ("GET * HTTP/1.1", "malformed request line"),
        ("G(T / HTTP/1.1", "malformed request line"),
        ("GET /a\tb HTTP/1.1", "malformed request line"),
        ("", "malformed request line"),
        ("GET / HTTP/1.1\r\nX y: 1", "malformed header name"),
        ("GET / HTTP/1.1\r\n: 1", "malformed header name"),
        ("GET / HTTP/1.1\r\nX: a\x7f", "malformed header line"),
        (
            "GET / HTTP/1.1\r\nX: a\r\n\tb",
            "obsolete header line folding",
        ),
        ("GET / HTTP/1.1\rX: a", "bare CR or LF in the request head"),
    ];
    for (text, why) in cases {
        assert_eq!(head(text).unwrap_err(), bad(why), "{text:?}");
    }
    let h = head("GET /x HTTP/1.0\r\nConnection: keep-alive").unwrap();
    assert!(h.http10 && h.wants_close());
    assert_eq!(
        h.headers,
        [("Connection".to_owned(), "keep-alive".to_owned())]
    );
}

/// An empty line inside the head is not its end: every line must be a
/// header, so nothing after it is dropped unseen.
#[test]
fn an_empty_header_line_is_refused_not_taken_as_the_end() {
    for text in [
        "GET / HTTP/1.1\r\n",
        "GET / HTTP/1.1\r\nA: b\r\n",
        "GET / HTTP/1.1\r\nA: b\r\n\r\nContent-Length: 5",
    ] {
        assert_eq!(
            head(text).unwrap_err(),
            bad("malformed header line"),
            "{text:?}"
        );
    }
}
