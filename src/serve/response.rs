//! Responses: a status, a content type, and either bytes (sent with a
//! `Content-Length`) or a stream written by a closure (sent `chunked`, so a
//! bundle goes out as it is written). A stream that fails midway ends the
//! connection without the final chunk: the client sees a cut body, never a
//! complete-looking one.
//!
//! Framing follows the request ([`How`]): the answer to `HEAD` has the
//! headers of the answer and no body (a body there would be read as the
//! next response on a kept connection), and an HTTP/1.0 client, which
//! knows no chunked coding, gets a stream unframed, ended by the close.

use std::io::{self, BufWriter, Write};

use serde::Serialize;

use super::ApiError;

pub type Writer<'a> = Box<dyn FnOnce(&mut dyn Write) -> io::Result<()> + 'a>;

pub enum Payload<'a> {
    Bytes(Vec<u8>),
    Stream(Writer<'a>),
}

/// The error document: `success`, `reason`, `error`, in that order (the
/// seed's failure document without `conflicts` and `duration_ms`).
#[derive(Serialize)]
pub struct ErrorBody<'a> {
    pub success: bool,
    pub reason: &'a str,
    pub error: String,
}

impl ErrorBody<'_> {
    pub fn new(reason: &str, error: String) -> ErrorBody<'_> {
        ErrorBody {
            success: false,
            reason,
            error,
        }
    }
}

pub struct Response<'a> {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub payload: Payload<'a>,
}

impl<'a> Response<'a> {
    pub fn bytes(status: u16, content_type: &'static str, body: Vec<u8>) -> Response<'a> {
        Response {
            status,
            content_type,
            headers: Vec::new(),
            payload: Payload::Bytes(body),
        }
    }

    /// A pretty-printed JSON document, as the CLI prints with `--json`.
    pub fn json(status: u16, value: &impl Serialize) -> Response<'a> {
        let mut body = serde_json::to_vec_pretty(value).unwrap_or_default();
        body.push(b'\n');
        Response::bytes(status, "application/json", body)
    }

    pub fn stream(status: u16, content_type: &'static str, writer: Writer<'a>) -> Response<'a> {
        Response {
            status,
            content_type,
            headers: Vec::new(),
            payload: Payload::Stream(writer),
        }
    }

    /// `{"success": false, "reason": …, "error": …}`.
    pub fn error(error: &ApiError) -> Response<'a> {
        let body = ErrorBody::new(error.reason_code(), error.to_string());
        let mut response = Response::json(error.status(), &body);
        match error {
            ApiError::Unauthorized => {
                (response.headers).push(("WWW-Authenticate", "Bearer".into()))
            }
            ApiError::MethodNotAllowed { allow } => {
                (response.headers).push(("Allow", (*allow).into()))
            }
            _ => {}
        }
        response
    }
}

/// How a response is framed for the request it answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct How {
    /// `Connection: close`: the connection ends after this response.
    pub close: bool,
    /// The request was `HEAD`: headers only.
    pub head: bool,
    /// The request was HTTP/1.0: a stream goes out unframed (and `close`).
    pub http10: bool,
}

impl How {
    /// An answer that ends the connection, to no request in particular.
    pub fn closing() -> How {
        How {
            close: true,
            ..How::default()
        }
    }
}

/// Writes the response as `how` says.
pub fn send(response: Response<'_>, out: &mut dyn Write, how: How) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, out);
    write!(
        out,
        "HTTP/1.1 {} {}\r\n",
        response.status,
        phrase(response.status)
    )?;
    write!(out, "Content-Type: {}\r\n", response.content_type)?;
    for (name, value) in &response.headers {
        write!(out, "{name}: {value}\r\n")?;
    }
    if how.close || how.http10 {
        out.write_all(b"Connection: close\r\n")?;
    }
    match response.payload {
        Payload::Bytes(body) => {
            write!(out, "Content-Length: {}\r\n\r\n", body.len())?;
            if !how.head {
                out.write_all(&body)?;
            }
        }
        Payload::Stream(_) if how.head => out.write_all(b"Transfer-Encoding: chunked\r\n\r\n")?,
        Payload::Stream(writer) if how.http10 => {
            out.write_all(b"\r\n")?;
            writer(&mut out)?;
        }
        Payload::Stream(writer) => {
            out.write_all(b"Transfer-Encoding: chunked\r\n\r\n")?;
            let mut chunks = BufWriter::with_capacity(1 << 16, Chunked(&mut out));
            writer(&mut chunks)?;
            chunks.flush()?;
            drop(chunks);
            out.write_all(b"0\r\n\r\n")?;
        }
    }
    out.flush()
}

/// Each write is one chunk (a `BufWriter` in front makes them large).
struct Chunked<W: Write>(W);

impl<W: Write> Write for Chunked<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        write!(self.0, "{:x}\r\n", buf.len())?;
        self.0.write_all(buf)?;
        self.0.write_all(b"\r\n")?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

pub fn phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    }
}

#[cfg(test)]
mod tests;
