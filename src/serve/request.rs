//! Reading one request head: the request line and headers, strictly. The
//! syntax is `httparse`'s; the policy below is stella's and is checked
//! around it.
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

/// Parses the head (without its final blank line): stella's own checks of
/// the bytes and lines, then `httparse` for the request line and headers.
pub fn parse(head: &[u8], max_headers: usize, limit: usize) -> Result<Head, ApiError> {
    let text = std::str::from_utf8(head).map_err(|_| bad("the request head is not ASCII"))?;
    if text
        .bytes()
        .any(|b| b >= 0x80 || (b < 0x20 && b != b'\r' && b != b'\n' && b != b'\t'))
    {
        return Err(bad("the request head holds control or non-ASCII bytes"));
    }
    let (first, rest) = match text.split_once("\r\n") {
        Some((first, rest)) => (first, Some(rest)),
        None => (text, None),
    };
    for (i, line) in text.split("\r\n").enumerate() {
        if line.contains(['\n', '\r']) {
            return Err(bad("bare CR or LF in the request head"));
        }
        if i > 0 && line.starts_with([' ', '\t']) {
            return Err(bad("obsolete header line folding"));
        }
    }
    let (method, target, http10) = request_line(first)?;
    let headers = header_lines(rest, max_headers, limit)?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut head = Head {
        path: path.to_owned(),
        query: query.to_owned(),
        method,
        http10,
        headers,
        framing: Framing::None,
        peer: None,
    };
    head.framing = framing(&head)?;
    Ok(head)
}

/// The request line (no CR or LF in it): method, target and whether it is
/// HTTP/1.0. Only an origin-form target (`/…`) is served.
fn request_line(line: &str) -> Result<(String, String, bool), ApiError> {
    let malformed = || bad("malformed request line");
    let mut request = httparse::Request::new(&mut []);
    let wire = format!("{line}\r\n\r\n");
    match request.parse(wire.as_bytes()) {
        Ok(httparse::Status::Complete(used)) if used == wire.len() => {}
        Err(httparse::Error::Version) => {
            return Err(bad("only HTTP/1.1 and HTTP/1.0 are spoken here"));
        }
        _ => return Err(malformed()),
    }
    let (Some(method), Some(target), Some(minor)) = (request.method, request.path, request.version)
    else {
        return Err(malformed());
    };
    if !target.starts_with('/') {
        return Err(malformed());
    }
    Ok((method.to_owned(), target.to_owned(), minor == 0))
}

/// The header lines after the request line (CRLF-separated, no final
/// blank line; `None` when there is none), at most `max_headers` of them.
/// Every line must be a header: an empty one does not end the head here.
fn header_lines(
    rest: Option<&str>,
    max_headers: usize,
    limit: usize,
) -> Result<Vec<(String, String)>, ApiError> {
    let wire = rest.map_or_else(|| "\r\n".to_owned(), |rest| format!("{rest}\r\n\r\n"));
    // One slot per line is enough: a head cannot make the parser allocate
    // more than it sent.
    let lines = rest.map_or(0, |rest| rest.split("\r\n").count());
    let mut slots = vec![httparse::EMPTY_HEADER; max_headers.min(lines)];
    let parsed = match httparse::parse_headers(wire.as_bytes(), &mut slots) {
        Ok(httparse::Status::Complete((used, parsed))) if used == wire.len() => parsed,
        Err(httparse::Error::TooManyHeaders) => {
            return Err(ApiError::HeadTooLarge { limit, max_headers });
        }
        Err(httparse::Error::HeaderName) => return Err(bad("malformed header name")),
        _ => return Err(bad("malformed header line")),
    };
    parsed
        .iter()
        .map(|h| {
            let value = std::str::from_utf8(h.value).map_err(|_| bad("malformed header line"))?;
            Ok((
                h.name.to_owned(),
                value.trim_matches([' ', '\t']).to_owned(),
            ))
        })
        .collect()
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
mod tests;
