//! A small synchronous HTTP/1.1 server for the federation API: a bounded
//! pool of worker threads, strict request heads, read timeouts, framed
//! bodies, optional TLS (rustls; mutual TLS binds a connection to a site
//! id), and a [`Handler`] the command layer implements.
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
//! flag) and gives each connection a small thread of its own, within a
//! global cap and a cap per peer address (beyond either, the connection is
//! answered 503 at once). A connection's thread reads request heads, each
//! within one total deadline, so a slow or trickling client costs a thread
//! that sleeps in `read`, never a worker (with TLS, the handshake runs
//! there too, within the first head's deadline). Only a request whose head is
//! complete is handed to one of `Limits::workers` worker threads (`pool`);
//! a request the handler marks [`Handler::exclusive`] goes to a pool of
//! one worker of its own instead, so such requests run one at a time, in
//! the order they came, and never hold up the other workers. Before it
//! does, [`Handler::prepare`] runs on the connection's thread: it may
//! answer at once or read the body ahead (imports spool it there), so a
//! client that sends its body slowly never holds the exclusive worker. `serve`
//! returns once the stop flag is set and every connection has finished
//! its current request.

mod auth;
mod body;
mod conn;
mod error;
mod pool;
pub mod query;
mod request;
mod response;
mod slots;
mod tls;
mod tls_stream;

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread::Scope;
use std::time::Duration;

pub use auth::{Credentials, MIN_TOKEN_LEN, Principal, SITE_TOKENS_FILE, SiteTokens, Token};
pub use body::{Body, SpoolError};
pub use error::{ApiError, ServeError, status_for};
/// The request-head parser, for the fuzz target.
#[doc(hidden)]
pub use request::parse as parse_head;
pub use request::{Framing, Head};
pub use response::{ErrorBody, How, Payload, Response, Writer};
pub use tls::{CertificateInfo, Tls, TlsError, TlsFiles, read_certificate};
pub use tls_stream::{Stream, TlsRefusal};

#[derive(Clone, Debug)]
pub struct Limits {
    /// Requests running at once.
    pub workers: usize,
    /// Connections open at once; beyond it a connection is answered 503.
    pub max_connections: usize,
    /// Connections open at once from one peer address.
    pub max_per_peer: usize,
    /// For a whole request head, and for each read of a body.
    pub read_timeout: Duration,
    pub max_head_bytes: usize,
    pub max_headers: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            workers: 4,
            max_connections: 1024,
            max_per_peer: 256,
            read_timeout: Duration::from_secs(10),
            max_head_bytes: 16 * 1024,
            max_headers: 64,
        }
    }
}

/// One request: its head, its body when it has one, and the site id its
/// connection's client certificate is bound to (mutual TLS only).
pub struct Request {
    pub head: Head,
    pub body: Option<Body>,
    /// The site id a verified client certificate is bound to (mutual
    /// TLS); `None` on plain TCP.
    pub peer_site: Option<String>,
}

/// An exclusive request after [`Handler::prepare`].
pub enum Prepared<'a> {
    /// Answered at once, on the connection's thread (a refusal).
    Answer(Response<'a>),
    /// The work left for the exclusive worker.
    Run(Box<dyn FnOnce() -> Response<'a> + Send + 'a>),
}

pub trait Handler: Sync {
    fn handle<'a>(&'a self, request: Request) -> Response<'a>;
    /// Whether this request runs on the exclusive worker: one at a time,
    /// in order, apart from the others (imports).
    fn exclusive(&self, _head: &Head) -> bool {
        false
    }
    /// Runs on the connection's own thread before an exclusive request
    /// waits for its worker: it may answer at once, or read the body.
    fn prepare<'a>(&'a self, request: Request) -> Prepared<'a> {
        Prepared::Run(Box::new(move || self.handle(request)))
    }
    /// A connection refused before a request reached `handle`.
    fn refused(&self, peer: Option<SocketAddr>, error: &ApiError);
    /// A TLS connection closed before its first request (no answer is sent).
    fn handshake_failed(&self, _peer: Option<SocketAddr>, _refusal: &TlsRefusal) {}
}

/// What every connection's thread shares.
struct Shared<'s> {
    handler: &'s dyn Handler,
    limits: &'s Limits,
    tls: Option<&'s Tls>,
    stop: &'s (dyn Fn() -> bool + Sync),
}

/// Serves `listener` (over TLS with `tls`) until `stop` returns true.
pub fn serve(
    listener: &TcpListener,
    handler: &dyn Handler,
    limits: &Limits,
    tls: Option<&Tls>,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<(), ServeError> {
    listener.set_nonblocking(true)?;
    let shared = Shared {
        handler,
        limits,
        tls,
        stop,
    };
    let connections = slots::Connections::new(limits.max_connections, limits.max_per_peer);
    let (pools, queue, exclusive) = pool::new();
    std::thread::scope(|scope| {
        for _ in 0..limits.workers.max(1) {
            scope.spawn(|| queue.work());
        }
        scope.spawn(|| exclusive.work());
        while !stop() {
            match listener.accept() {
                Ok((stream, peer)) => admit(scope, &shared, &connections, &pools, stream, peer),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                // Out of file descriptors and the like: wait, do not spin or die.
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
        // The workers end once every connection's handle is gone too.
        drop(pools);
        Ok(())
    })
}

/// A connection's thread only reads heads, and bodies for a worker.
const CONN_STACK: usize = 256 << 10;

/// Gives the connection a slot and a thread, or answers it 503.
fn admit<'scope, 'h: 'scope>(
    scope: &'scope Scope<'scope, '_>,
    shared: &'scope Shared<'h>,
    connections: &'scope slots::Connections,
    pools: &pool::Pools<'h>,
    stream: TcpStream,
    peer: SocketAddr,
) {
    let slot = match connections.open(peer.ip()) {
        Ok(slot) => slot,
        Err(_) => return refuse(shared, stream, peer),
    };
    let Ok(clone) = stream.try_clone() else {
        return;
    };
    let pools = pools.clone();
    let spawned = std::thread::Builder::new()
        .name("stella-conn".to_owned())
        .stack_size(CONN_STACK)
        .spawn_scoped(scope, move || {
            let _slot = slot;
            if stream.set_nonblocking(false).is_ok() {
                conn::run(stream, shared, &pools);
            }
        });
    if spawned.is_err() {
        refuse(shared, clone, peer);
    }
}

/// Answers 503 on a plain connection; a TLS one is only closed, since an
/// answer would need a handshake on the accepting thread.
fn refuse(shared: &Shared, mut stream: TcpStream, peer: SocketAddr) {
    shared.handler.refused(Some(peer), &ApiError::Unavailable);
    if shared.tls.is_some() {
        let _ = stream.shutdown(std::net::Shutdown::Both);
        return;
    }
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let _ = response::send(
        Response::error(&ApiError::Unavailable),
        &mut stream,
        How::closing(),
    );
    let _ = stream.flush();
}
