//! A minimal synchronous HTTP/1.1 client for the peer's federation API:
//! one request per connection (`Connection: close`), `http://` only.
//!
//! Response heads are parsed by `httparse` (as the server parses request
//! heads), bounded to 16 KiB and 64 headers; a body is framed by
//! `chunked` or `Content-Length`, else it ends with the connection. A body
//! cut short is an `UnexpectedEof` error, never a silent end, so a dropped
//! connection can never pass for a whole bundle.
//!
//! Compatibility: `https://` is refused as not supported yet; TLS comes
//! with the server's.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::SyncError;

mod body;

use body::{Chunked, Exact};

const MAX_HEAD: usize = 16 * 1024;
const MAX_HEADERS: usize = 64;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// Where the peer is: `http://HOST[:PORT][/PREFIX]`, and its token.
#[derive(Clone, Debug)]
pub struct Peer {
    pub url: String,
    host: String,
    port: u16,
    prefix: String,
    token: Option<String>,
}

/// A response whose head was read; `body` reads the rest, framed.
pub struct Answer {
    pub status: u16,
    headers: Vec<(String, String)>,
    pub body: Box<dyn Read>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        let found = self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name));
        found.map(|(_, v)| v.as_str())
    }

    /// The whole body as text (an error document, a status document).
    pub fn text(mut self) -> io::Result<String> {
        let mut text = String::new();
        self.body.read_to_string(&mut text)?;
        Ok(text)
    }
}

impl Peer {
    pub fn parse(url: &str, token: Option<String>) -> Result<Peer, SyncError> {
        if url.starts_with("https://") {
            return Err(SyncError::Https { url: url.into() });
        }
        let bad = || SyncError::BadUrl { url: url.into() };
        let rest = url.strip_prefix("http://").ok_or_else(bad)?;
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
                (h, p.parse().map_err(|_| bad())?)
            }
            _ => (authority, 80),
        };
        if host.is_empty() || path.contains(['?', '#']) {
            return Err(bad());
        }
        Ok(Peer {
            url: url.trim_end_matches('/').to_owned(),
            host: host.to_owned(),
            port,
            prefix: path.trim_end_matches('/').to_owned(),
            token,
        })
    }

    /// `GET PATH` (with its query).
    pub fn get(&self, path: &str) -> Result<Answer, io::Error> {
        let stream = self.send("GET", path, &[], None)?;
        read_answer(stream)
    }

    /// `POST PATH` with `len` bytes of `application/zstd` from `body`.
    pub fn post(&self, path: &str, body: &mut dyn Read, len: u64) -> Result<Answer, io::Error> {
        let extra = [
            ("Content-Type", "application/zstd".to_owned()),
            ("Content-Length", len.to_string()),
        ];
        let stream = self.send("POST", path, &extra, Some(body))?;
        read_answer(stream)
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        extra: &[(&str, String)],
        body: Option<&mut dyn Read>,
    ) -> io::Result<TcpStream> {
        let stream = self.connect()?;
        let mut head = format!(
            "{method} {}{path} HTTP/1.1\r\nHost: {}:{}\r\nUser-Agent: stella/{}\r\nConnection: close\r\n",
            self.prefix,
            self.host,
            self.port,
            env!("CARGO_PKG_VERSION")
        );
        if let Some(token) = &self.token {
            head.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        for (name, value) in extra {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut out = io::BufWriter::with_capacity(1 << 16, &stream);
        out.write_all(head.as_bytes())?;
        if let Some(body) = body {
            io::copy(body, &mut out)?;
        }
        out.flush()?;
        drop(out);
        Ok(stream)
    }

    fn connect(&self) -> io::Result<TcpStream> {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        let mut last = io::Error::new(io::ErrorKind::NotFound, "the host has no address");
        for addr in (host, self.port).to_socket_addrs()? {
            match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
                Ok(stream) => {
                    stream.set_read_timeout(Some(READ_TIMEOUT))?;
                    stream.set_write_timeout(Some(READ_TIMEOUT))?;
                    return Ok(stream);
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }
}

/// The head, then the body framed as the head says.
fn read_answer(stream: TcpStream) -> io::Result<Answer> {
    let mut reader = BufReader::with_capacity(1 << 16, stream);
    let head = read_head(&mut reader)?;
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Response::new(&mut headers);
    let invalid = |what: String| io::Error::new(io::ErrorKind::InvalidData, what);
    match parsed.parse(&head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(invalid("a cut response head".into())),
        Err(e) => return Err(invalid(format!("a malformed response head ({e})"))),
    }
    let status = parsed.code.unwrap_or(0);
    let headers: Vec<(String, String)> = parsed
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_owned(),
                String::from_utf8_lossy(h.value).trim().to_owned(),
            )
        })
        .collect();
    let find = |name: &str| {
        let found = headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name));
        found.map(|(_, v)| v.clone())
    };
    let body: Box<dyn Read> = if status == 204 || status == 304 {
        Box::new(io::empty())
    } else if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        Box::new(Chunked::new(reader))
    } else if let Some(len) = find("content-length") {
        let len: u64 = len
            .parse()
            .map_err(|_| invalid(format!("Content-Length `{len}`")))?;
        Box::new(Exact {
            inner: reader.take(len),
            left: len,
        })
    } else {
        Box::new(reader)
    };
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// Bytes up to and including the blank line that ends the head.
fn read_head(reader: &mut BufReader<TcpStream>) -> io::Result<Vec<u8>> {
    let mut head = Vec::new();
    loop {
        let before = head.len();
        let n = reader
            .by_ref()
            .take(MAX_HEAD as u64)
            .read_until(b'\n', &mut head)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the connection closed before a response",
            ));
        }
        if head.len() > MAX_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a response head over 16 KiB",
            ));
        }
        if head[before..] == *b"\r\n" || head[before..] == *b"\n" {
            return Ok(head);
        }
    }
}

/// `text` escaped for a query value: everything but unreserved characters.
pub fn escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_http_only_and_keep_their_prefix() {
        let peer = Peer::parse("http://hq:8080/stella/", None).unwrap();
        assert_eq!((peer.host.as_str(), peer.port), ("hq", 8080));
        assert_eq!(peer.prefix, "/stella");
        assert_eq!(Peer::parse("http://127.0.0.1", None).unwrap().port, 80);
        let tls = Peer::parse("https://hq", None).unwrap_err();
        assert!(matches!(tls, SyncError::Https { .. }));
        for bad in ["hq:8080", "http://:80", "http://hq:x", "http://hq/?a=1"] {
            let refused = Peer::parse(bad, None).unwrap_err();
            assert!(matches!(refused, SyncError::BadUrl { .. }), "{bad}");
        }
    }

    #[test]
    fn a_cursor_is_escaped_for_the_query() {
        assert_eq!(
            escape("2025-01-15T10:30:00.000Z#0042"),
            "2025-01-15T10%3A30%3A00.000Z%230042"
        );
    }
}
