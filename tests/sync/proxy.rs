//! A loopback proxy that forwards every connection to a server, except
//! that it cuts one chosen connection after a few bytes of the answer: a
//! connection that drops in the middle of a bundle.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Proxy {
    pub addr: SocketAddr,
}

/// Forwards to `upstream`; connection number `cut` (from 1) gets only
/// `keep` bytes of its answer before both ends are closed.
pub fn start(upstream: SocketAddr, cut: usize, keep: usize) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { return };
            let n = count.fetch_add(1, Ordering::SeqCst) + 1;
            let limit = if n == cut { keep } else { usize::MAX };
            std::thread::spawn(move || forward(client, upstream, limit));
        }
    });
    Proxy { addr }
}

fn forward(client: TcpStream, upstream: SocketAddr, limit: usize) {
    let Ok(server) = TcpStream::connect(upstream) else {
        return;
    };
    let timeout = Some(std::time::Duration::from_secs(30));
    let _ = client.set_read_timeout(timeout);
    let _ = server.set_read_timeout(timeout);
    let (mut from_client, mut to_server) =
        (client.try_clone().unwrap(), server.try_clone().unwrap());
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut from_client, &mut to_server);
    });
    let (mut from_server, mut to_client) = (server, client);
    let mut sent = 0;
    let mut buf = [0; 4096];
    while sent < limit {
        let n = match from_server.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n.min(limit - sent),
        };
        if to_client.write_all(&buf[..n]).is_err() {
            break;
        }
        sent += n;
    }
    let _ = to_client.shutdown(Shutdown::Both);
    let _ = from_server.shutdown(Shutdown::Both);
}
