//! Reading one request head: the request line and headers, strictly.
//!
//! Strict on purpose, against request smuggling: CRLF line ends only, no
//! whitespace before a header's colon, no obsolete line folding, one
//! `Content-Length` of digits only, `Transfer-Encoding: chunked` or none,
//! and never both `Content-Length` and `Transfer-Encoding`, and no
//! `Transfer-Encoding` at all from HTTP/1.0, which has none (RFC 9112 6.1:
//! its framing is faulty). Anything else is refused before a byte of the
//! body is read.

use std::net::SocketAddr;

use super::ApiError;

/// How the body is framed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    None,
    Length(u64),
    Chunked,
}

/// One request's head; the body is read separately (see `body`).
#[derive(Clone, Debug)]
pub struct Head {
    pub method: String,
    pub path: String,
    pub query: String,
    pub http10: bool,
    pub headers: Vec<(String, String)>,
    pub framing: Framing,
    pub peer: Option<SocketAddr>,
}

impl Head {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the client asked to close the connection after this request.
    pub fn wants_close(&self) -> bool {
        let close = self
            .all("connection")
            .any(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("close")));
        close || self.http10
    }

    pub fn expects_continue(&self) -> bool {
        self.header("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    }
}

fn bad(why: &str) -> ApiError {
    ApiError::BadRequest(why.to_owned())
}

/// Parses the head (without its final blank line).
pub fn parse(head: &[u8], max_headers: usize, limit: usize) -> Result<Head, ApiError> {
    let text = std::str::from_utf8(head).map_err(|_| bad("the request head is not ASCII"))?;
    if text
        .bytes()
        .any(|b| b >= 0x80 || (b < 0x20 && b != b'\r' && b != b'\n' && b != b'\t'))
    {
        return Err(bad("the request head holds control or non-ASCII bytes"));
    }
    let mut lines = text.split("\r\n");
    let (method, target, http10) = request_line(lines.next().unwrap_or(""))?;
    let mut headers = Vec::new();
    for line in lines {
        if line.contains('\n') || line.contains('\r') {
            return Err(bad("bare CR or LF in the request head"));
        }
        if headers.len() == max_headers {
            return Err(ApiError::HeadTooLarge { limit, max_headers });
        }
        headers.push(header_line(line)?);
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut head = Head {
        method: method.to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        http10,
        headers,
        framing: Framing::None,
        peer: None,
    };
    head.framing = framing(&head)?;
    Ok(head)
}

fn request_line(line: &str) -> Result<(&str, &str, bool), ApiError> {
    let parts: Vec<&str> = line.split(' ').collect();
    let [method, target, version] = parts.as_slice() else {
        return Err(bad("malformed request line"));
    };
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    if !token(method) || !target.starts_with('/') {
        return Err(bad("malformed request line"));
    }
    match *version {
        "HTTP/1.1" => Ok((method, target, false)),
        "HTTP/1.0" => Ok((method, target, true)),
        _ => Err(bad("only HTTP/1.1 and HTTP/1.0 are spoken here")),
    }
}

fn header_line(line: &str) -> Result<(String, String), ApiError> {
    if line.starts_with([' ', '\t']) {
        return Err(bad("obsolete header line folding"));
    }
    let (name, value) = line
        .split_once(':')
        .ok_or_else(|| bad("malformed header line"))?;
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !valid {
        return Err(bad("malformed header name"));
    }
    Ok((name.to_owned(), value.trim_matches([' ', '\t']).to_owned()))
}

fn framing(head: &Head) -> Result<Framing, ApiError> {
    let lengths: Vec<&str> = head.all("content-length").collect();
    let encodings: Vec<&str> = head.all("transfer-encoding").collect();
    if head.http10 && !encodings.is_empty() {
        let why = "an HTTP/1.0 request cannot use Transfer-Encoding: send a Content-Length, or speak HTTP/1.1";
        return Err(bad(why));
    }
    match (lengths.as_slice(), encodings.as_slice()) {
        ([], []) => Ok(Framing::None),
        ([_, ..], [_, ..]) => Err(bad("both Content-Length and Transfer-Encoding")),
        ([one], []) => {
            let digits =
                !one.is_empty() && one.len() <= 19 && one.bytes().all(|b| b.is_ascii_digit());
            match digits.then(|| one.parse::<u64>().ok()).flatten() {
                Some(n) => Ok(Framing::Length(n)),
                None => Err(bad("malformed Content-Length")),
            }
        }
        ([], [one]) if one.eq_ignore_ascii_case("chunked") => Ok(Framing::Chunked),
        ([], [one]) => Err(ApiError::NotImplemented((*one).to_owned())),
        _ => Err(bad("more than one Content-Length or Transfer-Encoding")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &str) -> Result<Head, ApiError> {
        parse(text.as_bytes(), 100, 16384)
    }

    #[test]
    fn a_plain_request_parses() {
        let h = head("POST /a/b?x=1&y=2 HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\nX-Y:  v \t")
            .unwrap();
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
}
