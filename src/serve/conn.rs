//! One connection, on its own thread: the TLS handshake when the server
//! has TLS (`tls_stream`; with mutual TLS it yields the client's site id,
//! which every request of the connection carries), then read a head (within one total
//! deadline and the size limits), have a worker run the handler and send
//! its response (the exclusive worker when the handler says so, after
//! `Handler::prepare` on this thread),
//! and keep the connection for the next request unless the request had a
//! body, asked to close, or the server is stopping.
//!
//! Invariant: a refusal of the protocol layer (bad head, timeout, head too
//! large) is answered and ends the connection; it never reaches the
//! handler and never takes a worker.

use std::io::Read;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::body::Body;
use super::pool::Pools;
use super::request::{self, Framing, Head};
use super::response::{self, How, Response};
use super::tls_stream::{self, Stream};
use super::{ApiError, Limits, Prepared, Request, Shared};

/// How often a blocked read wakes up to look at the stop flag.
const POLL: Duration = Duration::from_millis(200);
/// After answering a request whose body was not read: how long, and how
/// much, to keep reading so the client sees the answer before the close.
const LINGER: Duration = Duration::from_secs(1);
const LINGER_BYTES: usize = 1 << 20;

/// The TLS handshake (when the server has TLS), then the requests; the
/// handshake and the first head share one deadline.
pub(super) fn run<'h>(socket: TcpStream, shared: &Shared<'h>, pools: &Pools<'h>) {
    let started = Instant::now();
    let peer = socket.peer_addr().ok();
    if socket
        .set_write_timeout(Some(shared.limits.read_timeout))
        .is_err()
    {
        return;
    }
    let until = tls_stream::Until {
        deadline: started + shared.limits.read_timeout,
        poll: POLL,
        stop: shared.stop,
    };
    let (stream, peer_site) = match shared.tls {
        None => (Stream::Plain(socket), None),
        Some(tls) => match tls_stream::accept(socket, tls, &until) {
            Ok(accepted) => accepted,
            Err((socket, refusal)) => {
                shared.handler.handshake_failed(peer, &refusal);
                return linger(&Stream::Plain(socket));
            }
        },
    };
    requests(&stream, peer_site, started, shared, pools);
}

fn requests<'h>(
    stream: &Stream,
    peer_site: Option<String>,
    mut started: Instant,
    shared: &Shared<'h>,
    pools: &Pools<'h>,
) {
    let Shared {
        handler,
        limits,
        stop,
        ..
    } = *shared;
    let peer = stream.socket().peer_addr().ok();
    let mut buffered = Vec::new();
    loop {
        let mut head = match read_head(stream, &mut buffered, limits, stop, started) {
            Ok(Some(head)) => head,
            Ok(None) => return,
            Err(error) => {
                handler.refused(peer, &error);
                let _ = response::send(Response::error(&error), &mut &*stream, How::closing());
                return linger(stream);
            }
        };
        head.peer = peer;
        let has_body = !matches!(head.framing, Framing::None | Framing::Length(0));
        let close = head.wants_close() || has_body || stop();
        let how = How {
            close,
            head: head.method == "HEAD",
            http10: head.http10,
        };
        let body = match has_body.then(|| body(stream, &head, std::mem::take(&mut buffered))) {
            Some(Ok(body)) => Some(body),
            Some(Err(_)) => return,
            None => None,
        };
        let _ = stream.socket().set_read_timeout(Some(limits.read_timeout));
        let exclusive = handler.exclusive(&head);
        let Ok(out) = stream.try_clone() else {
            return;
        };
        let request = Request {
            head,
            body,
            peer_site: peer_site.clone(),
        };
        let sent = match exclusive {
            false => pools.shared.run(Box::new(move || {
                response::send(handler.handle(request), &mut &out, how)
            })),
            // Prepared here, so a slow body holds this thread, not the worker.
            true => match handler.prepare(request) {
                Prepared::Answer(answer) => response::send(answer, &mut &out, how),
                Prepared::Run(work) => pools
                    .exclusive
                    .run(Box::new(move || response::send(work(), &mut &out, how))),
            },
        };
        if sent.is_err() {
            return;
        }
        if close {
            return linger(stream);
        }
        started = Instant::now();
    }
}

fn body(stream: &Stream, head: &Head, buffered: Vec<u8>) -> std::io::Result<Body> {
    let send_continue = match head.expects_continue() {
        true => Some(stream.try_clone()?),
        false => None,
    };
    Ok(Body::new(
        buffered,
        stream.try_clone()?,
        head.framing,
        send_continue,
    ))
}

/// `Ok(None)`: the client closed, stayed idle past the timeout, or the
/// server is stopping between requests.
fn read_head(
    mut stream: &Stream,
    buf: &mut Vec<u8>,
    limits: &Limits,
    stop: &dyn Fn() -> bool,
    started: Instant,
) -> Result<Option<Head>, ApiError> {
    let deadline = started + limits.read_timeout;
    let too_large = ApiError::HeadTooLarge {
        limit: limits.max_head_bytes,
        max_headers: limits.max_headers,
    };
    loop {
        while buf.starts_with(b"\r\n") {
            buf.drain(..2);
        }
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            if end > limits.max_head_bytes {
                return Err(too_large);
            }
            let head = request::parse(&buf[..end], limits.max_headers, limits.max_head_bytes);
            buf.drain(..end + 4);
            return head.map(Some);
        }
        if buf.len() > limits.max_head_bytes {
            return Err(too_large);
        }
        let now = Instant::now();
        if (stop() && buf.is_empty()) || (now >= deadline && buf.is_empty()) {
            return Ok(None);
        }
        if now >= deadline {
            return Err(ApiError::Timeout);
        }
        let _ = stream
            .socket()
            .set_read_timeout(Some((deadline - now).min(POLL)));
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk) {
            Ok(0) => return Ok(None),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if is_timeout(&e) => {}
            Err(_) => return Ok(None),
        }
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(e.kind(), WouldBlock | TimedOut | Interrupted)
}

/// Half-closes (after a TLS `close_notify`), then reads (and drops) what
/// the client still sends for a moment, so closing does not reset the
/// connection before the client has read the answer.
fn linger(stream: &Stream) {
    stream.shutdown_write();
    let deadline = Instant::now() + LINGER;
    let mut seen = 0;
    let mut chunk = [0u8; 16384];
    while seen < LINGER_BYTES {
        let now = Instant::now();
        if now >= deadline
            || stream
                .socket()
                .set_read_timeout(Some(deadline - now))
                .is_err()
        {
            return;
        }
        match stream.read_raw(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => seen += n,
        }
    }
}
