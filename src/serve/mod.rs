//! A small synchronous HTTP/1.1 server for the federation API: a bounded
//! pool of worker threads, strict request heads, read timeouts, framed
//! bodies, and a [`Handler`] the command layer implements.
//!
//! Why not tiny_http (the crate the dependency notes suggest): 0.12 runs
//! each connection on a thread of a pool that grows without bound, sets no
//! read timeout on accepted sockets, reads header lines of any length, and
//! on dropping an unread `Content-Length` body reads (and allocates) the
//! rest of it, so a 413 would still swallow the whole upload. Each of those
//! is a property this API must have, so the ~500 lines here replace it;
//! no HTTP crate is needed.
//!
//! Threads: the caller's thread accepts (non-blocking, polling the stop
//! flag); `Limits::workers` threads serve connections from a bounded queue;
//! when the queue is full a connection is answered 503 at once. A worker
//! serves one connection at a time, request after request (keep-alive),
//! so a slow or stalled client holds one worker for at most the read
//! timeout. `serve` returns once the stop flag is set and every worker has
//! finished its current request.

mod auth;
mod body;
mod conn;
mod error;
pub mod query;
mod request;
mod response;

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Mutex;
use std::sync::mpsc::{self, RecvTimeoutError, TrySendError};
use std::time::Duration;

pub use auth::{MIN_TOKEN_LEN, Token};
pub use body::Body;
pub use error::{ApiError, ServeError, status_for};
/// The request-head parser, for the fuzz target.
#[doc(hidden)]
pub use request::parse as parse_head;
pub use request::{Framing, Head};
pub use response::{ErrorBody, How, Payload, Response, Writer};

#[derive(Clone, Debug)]
pub struct Limits {
    pub workers: usize,
    /// Connections accepted and waiting for a worker.
    pub queue: usize,
    /// For a whole request head, and for each read of a body.
    pub read_timeout: Duration,
    pub max_head_bytes: usize,
    pub max_headers: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            workers: 4,
            queue: 64,
            read_timeout: Duration::from_secs(10),
            max_head_bytes: 16 * 1024,
            max_headers: 64,
        }
    }
}

/// One request: its head, and its body when it has one.
pub struct Request {
    pub head: Head,
    pub body: Option<Body>,
}

pub trait Handler: Sync {
    fn handle<'a>(&'a self, request: Request) -> Response<'a>;
    /// A connection refused before a request reached `handle`.
    fn refused(&self, peer: Option<SocketAddr>, error: &ApiError);
}

/// Serves `listener` until `stop` returns true.
pub fn serve(
    listener: &TcpListener,
    handler: &dyn Handler,
    limits: &Limits,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<(), ServeError> {
    listener.set_nonblocking(true)?;
    let (tx, rx) = mpsc::sync_channel::<TcpStream>(limits.queue);
    let rx = Mutex::new(rx);
    std::thread::scope(|scope| {
        for _ in 0..limits.workers.max(1) {
            scope.spawn(|| work(&rx, handler, limits, stop));
        }
        let result = accept(listener, &tx, handler, stop);
        drop(tx);
        result
    })
}

fn accept(
    listener: &TcpListener,
    tx: &mpsc::SyncSender<TcpStream>,
    handler: &dyn Handler,
    stop: &dyn Fn() -> bool,
) -> Result<(), ServeError> {
    while !stop() {
        match listener.accept() {
            Ok((stream, peer)) => {
                stream.set_nonblocking(false)?;
                if let Err(TrySendError::Full(mut stream)) = tx.try_send(stream) {
                    handler.refused(Some(peer), &ApiError::Unavailable);
                    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
                    let _ = response::send(
                        Response::error(&ApiError::Unavailable),
                        &mut stream,
                        How::closing(),
                    );
                    let _ = stream.flush();
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            // Out of file descriptors and the like: wait, do not spin or die.
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    Ok(())
}

fn work(
    rx: &Mutex<mpsc::Receiver<TcpStream>>,
    handler: &dyn Handler,
    limits: &Limits,
    stop: &dyn Fn() -> bool,
) {
    loop {
        let next = match rx.lock() {
            Ok(rx) => rx.recv_timeout(Duration::from_millis(200)),
            Err(_) => return,
        };
        match next {
            Ok(stream) => conn::run(stream, handler, limits, stop),
            Err(RecvTimeoutError::Timeout) if stop() => return,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}
