//! The connection caps answer 503 at once, and give the place back when a
//! connection ends; a second import from a peer that is importing is 409.

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;

use super::*;
use crate::harness::*;
use crate::serve::read_reply;

fn busy() -> String {
    refusal("unavailable", "the server is busy or stopping: retry later")
}

/// A connection's first reply, without sending anything.
fn greeting(stream: TcpStream) -> (u16, String) {
    let reply = read_reply(&mut BufReader::new(stream));
    (reply.status, reply.text())
}

fn refused_beyond_cap_then_freed(flags: &[&str], open: usize) {
    let b = Site::new("site-b");
    let server = Server::start(&b, flags);
    let idle = threads(&server);
    let mut held: Vec<TcpStream> = (0..open).map(|_| server.connect()).collect();
    wait_until("the held connections", || threads(&server) >= idle + open);
    assert_eq!(greeting(server.connect()), (503, busy()));
    assert_eq!(server.get("/healthz", None).status, 503);
    held.pop();
    wait_until("a freed place", || {
        server.get("/healthz", None).status == 200
    });
}

#[test]
fn the_per_peer_cap_answers_503_beyond_it() {
    refused_beyond_cap_then_freed(&["--max-connections-per-peer", "3"], 3);
}

#[test]
fn the_global_cap_answers_503_beyond_it() {
    refused_beyond_cap_then_freed(&["--max-connections", "2"], 2);
}

/// The first import's body is held back; the second, from the same peer,
/// waits its turn, then finds the bundle in the ledger.
#[test]
fn a_second_import_from_a_peer_that_is_importing_waits_and_never_runs_twice() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = std::fs::read(a.export("full.tar.zst", &[])).unwrap();
    let server = Server::start(&b, &[]);
    let mut first = server.connect();
    write!(
        first,
        "POST /api/v1/federation/import HTTP/1.1\r\nHost: t\r\nContent-Type: application/zstd\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        bundle.len()
    )
    .unwrap();
    let mut proceed = [0u8; 25];
    first.read_exact(&mut proceed).unwrap();
    assert_eq!(&proceed, b"HTTP/1.1 100 Continue\r\n\r\n");
    std::thread::scope(|scope| {
        let second = scope.spawn(|| server.import("", &bundle, None));
        std::thread::sleep(Duration::from_millis(300));
        assert!(!second.is_finished(), "the second import waits");
        first.write_all(&bundle).unwrap();
        let reply = read_reply(&mut BufReader::new(first.try_clone().unwrap()));
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(reply.json()["already_imported"], false);
        let second = second.join().unwrap();
        assert_eq!(second.status, 200, "{}", second.text());
        assert_eq!(second.json()["already_imported"], true);
    });
    let listed = b.json(&["feedser", "sites", "list", "--json"]);
    assert_eq!(listed[0]["bundles_imported"], 1);
}
