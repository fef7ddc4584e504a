//! 200 slow and trickling connections cost threads that sleep, not
//! workers: `/healthz` and an import are still answered within a second,
//! and the server's threads and memory stay bounded.

use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};

use super::*;
use crate::harness::*;

const STALLED: usize = 100;
const TRICKLING: usize = 100;

/// Half a request head, then silence.
fn stalled(server: &Server) -> TcpStream {
    let mut stream = server.connect();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHo").unwrap();
    stream
}

/// Sets the flag when dropped, so a failed assertion stops the trickle.
struct Done<'a>(&'a AtomicBool);

impl Drop for Done<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// One header line on each stream every 300 ms, until `done`.
fn trickle(streams: &mut [TcpStream], done: &AtomicBool) {
    while !done.load(Ordering::Relaxed) {
        for stream in streams.iter_mut() {
            let _ = stream.write_all(b"X-Slow: 1\r\n");
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn slow_and_trickling_clients_do_not_starve_the_server() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = std::fs::read(a.export("full.tar.zst", &[])).unwrap();
    let server = Server::start(&b, &[]);
    assert_eq!(server.import("?dry_run=true", &bundle, None).status, 200);
    // The accepting thread, four workers, the exclusive one, and the
    // process's own (signals, the import's pools): no connection's.
    wait_until("the warm-up connection to end", || threads(&server) <= 8);
    let idle = threads(&server);
    let before = server.rss_kib();
    let _stalled: Vec<TcpStream> = (0..STALLED).map(|_| stalled(&server)).collect();
    let mut tricklers: Vec<TcpStream> = (0..TRICKLING)
        .map(|_| {
            let mut stream = server.connect();
            stream.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
            stream
        })
        .collect();
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| trickle(&mut tricklers, &done));
        let _done = Done(&done);
        let all = idle + STALLED + TRICKLING;
        wait_until("every slow connection to be accepted", || {
            threads(&server) >= all
        });
        let started = Instant::now();
        assert_eq!(server.get("/healthz", None).status, 200);
        let healthz = started.elapsed();
        let started = Instant::now();
        let import = server.import("", &bundle, None);
        let imported = started.elapsed();
        assert_eq!(import.status, 200, "{}", import.text());
        assert_eq!(import.json()["already_imported"], false);
        assert!(
            healthz < Duration::from_secs(1),
            "/healthz took {healthz:?}"
        );
        assert!(
            imported < Duration::from_secs(1),
            "the import took {imported:?}"
        );
        assert!(threads(&server) <= all + 2, "{} threads", threads(&server));
        let after = server.rss_kib();
        assert!(
            after < before + 32 * 1024,
            "resident memory grew from {before} KiB to {after} KiB"
        );
        eprintln!("slow: healthz {healthz:?}, import {imported:?}, {before} -> {after} KiB");
    });
}
