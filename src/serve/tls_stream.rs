//! A connection's byte stream, plain or TLS, and the TLS handshake.
//!
//! The connection's thread reads heads and a worker writes the answer (and
//! reads the body), one after the other, never at once: so a TLS session
//! sits behind a mutex that the two take in turn, and [`Stream::try_clone`]
//! hands out another handle on the same session, as `TcpStream::try_clone`
//! does for a plain socket. Timeouts and shutdown act on the socket itself.
//!
//! Invariants: the handshake runs on the connection's own thread within
//! the head deadline (a client that never finishes it costs a sleeping
//! thread, never a worker); a client that speaks plain HTTP to the TLS port
//! is closed without a byte written; with mutual TLS the connection knows
//! the site id of its client certificate before any request is read.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rustls::{ServerConnection, StreamOwned};

use super::tls::{CertificateInfo, Tls};

type Session = StreamOwned<ServerConnection, TcpStream>;

/// A connection's stream: cloning it gives another handle on the same
/// connection (and TLS session).
pub enum Stream {
    Plain(TcpStream),
    /// The session, and a handle on its socket for timeouts and shutdown.
    Tls(Arc<Mutex<Session>>, TcpStream),
}

/// Why a TLS connection ended before its first request.
#[derive(Debug, thiserror::Error)]
pub enum TlsRefusal {
    #[error("plain HTTP sent to the TLS port: the client must use https://")]
    PlainHttp,
    #[error("the TLS handshake did not finish in time")]
    Timeout,
    #[error("the server is stopping")]
    Stopping,
    #[error("the TLS handshake failed: {0}")]
    Handshake(String),
    #[error("the client certificate names no site: its subject Common Name must be the site id")]
    NoSiteId,
    /// A connect and close (a port probe, a load balancer's health check):
    /// not worth a line at the default log level.
    #[error("the client closed the connection before sending a byte")]
    Closed,
}

/// The first byte of a TLS handshake record.
const HANDSHAKE_RECORD: u8 = 0x16;

impl Stream {
    pub fn try_clone(&self) -> io::Result<Stream> {
        Ok(match self {
            Stream::Plain(s) => Stream::Plain(s.try_clone()?),
            Stream::Tls(session, s) => Stream::Tls(session.clone(), s.try_clone()?),
        })
    }

    /// The socket (for timeouts, the peer address, shutdown).
    pub fn socket(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) | Stream::Tls(_, s) => s,
        }
    }

    /// Ends the write side: a TLS `close_notify`, then the socket's.
    pub fn shutdown_write(&self) {
        if let Stream::Tls(session, _) = self {
            let mut session = lock(session);
            session.conn.send_close_notify();
            let _ = session.flush();
        }
        let _ = self.socket().shutdown(Shutdown::Write);
    }

    /// Reads the socket's raw bytes (after `shutdown_write`, to drain it).
    pub fn read_raw(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.socket().read(buf)
    }
}

fn lock(session: &Mutex<Session>) -> MutexGuard<'_, Session> {
    session.lock().unwrap_or_else(|p| p.into_inner())
}

impl Read for &Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => (&mut &*s).read(buf),
            Stream::Tls(session, _) => lock(session).read(buf),
        }
    }
}

impl Write for &Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => (&mut &*s).write(buf),
            Stream::Tls(session, _) => lock(session).write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => (&mut &*s).flush(),
            Stream::Tls(session, _) => lock(session).flush(),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self).read(buf)
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        (&*self).flush()
    }
}

/// When the handshake must be done, how often to look at the stop flag.
pub struct Until<'a> {
    pub deadline: Instant,
    pub poll: Duration,
    pub stop: &'a dyn Fn() -> bool,
}

impl Until<'_> {
    /// The read timeout for the next wait, or why to give up.
    fn next_wait(&self) -> Result<Duration, TlsRefusal> {
        let now = Instant::now();
        if (self.stop)() {
            return Err(TlsRefusal::Stopping);
        }
        if now >= self.deadline {
            return Err(TlsRefusal::Timeout);
        }
        Ok((self.deadline - now).min(self.poll))
    }
}

/// Runs the server's side of the handshake in time; with mutual TLS, also
/// returns the client certificate's site id.
pub fn accept(
    socket: TcpStream,
    tls: &Tls,
    until: &Until,
) -> Result<(Stream, Option<String>), (TcpStream, TlsRefusal)> {
    match first_byte(&socket, until) {
        Ok(HANDSHAKE_RECORD) => {}
        Ok(_) => return Err((socket, TlsRefusal::PlainHttp)),
        Err(refusal) => return Err((socket, refusal)),
    }
    let conn = match ServerConnection::new(tls.config.clone()) {
        Ok(conn) => conn,
        Err(e) => return Err((socket, TlsRefusal::Handshake(e.to_string()))),
    };
    let mut session = StreamOwned::new(conn, socket);
    if let Err(refusal) = handshake(&mut session, until) {
        return Err((session.sock, refusal));
    }
    let site = match tls.mutual {
        true => match client_site(&session.conn) {
            Some(site) => Some(site),
            None => return Err((session.sock, TlsRefusal::NoSiteId)),
        },
        false => None,
    };
    let socket = match session.sock.try_clone() {
        Ok(socket) => socket,
        Err(e) => return Err((session.sock, TlsRefusal::Handshake(e.to_string()))),
    };
    Ok((Stream::Tls(Arc::new(Mutex::new(session)), socket), site))
}

/// Waits for the client's first byte without consuming it.
fn first_byte(socket: &TcpStream, until: &Until) -> Result<u8, TlsRefusal> {
    let mut byte = [0u8; 1];
    loop {
        let _ = socket.set_read_timeout(Some(until.next_wait()?));
        match socket.peek(&mut byte) {
            Ok(0) => return Err(TlsRefusal::Closed),
            Ok(_) => return Ok(byte[0]),
            Err(e) if is_timeout(&e) => {}
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {
                return Err(TlsRefusal::Closed);
            }
            Err(e) => return Err(TlsRefusal::Handshake(e.to_string())),
        }
    }
}

fn handshake(session: &mut Session, until: &Until) -> Result<(), TlsRefusal> {
    while session.conn.is_handshaking() {
        let _ = session.sock.set_read_timeout(Some(until.next_wait()?));
        // On a protocol error rustls sends its alert before returning it.
        match session.conn.complete_io(&mut session.sock) {
            Ok(_) => {}
            Err(e) if is_timeout(&e) => {}
            Err(e) => return Err(TlsRefusal::Handshake(e.to_string())),
        }
    }
    Ok(())
}

/// The site id of a verified client certificate: its subject Common Name.
fn client_site(conn: &ServerConnection) -> Option<String> {
    let cert = conn.peer_certificates()?.first()?;
    let info = CertificateInfo::parse(cert).ok()?;
    info.common_name.filter(|cn| !cn.trim().is_empty())
}

fn is_timeout(e: &io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(e.kind(), WouldBlock | TimedOut | Interrupted)
}
