//! Limits a peer cannot get around: its cap on every framing, a body sent
//! slowly that holds no other peer's import, and a repeated import that
//! is applied once.

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::*;
use crate::serve::read_reply;

fn head(version: &str, token: &str, framing: &str) -> String {
    format!(
        "POST /api/v1/federation/import HTTP/{version}\r\nHost: t\r\nAuthorization: Bearer {token}\r\nContent-Type: application/zstd\r\n{framing}\r\n"
    )
}

/// The whole of `body`, chunked in 700-byte chunks.
fn chunked(body: &[u8]) -> Vec<u8> {
    let mut wire = Vec::new();
    for chunk in body.chunks(700) {
        wire.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        wire.extend_from_slice(chunk);
        wire.extend_from_slice(b"\r\n");
    }
    wire.extend_from_slice(b"0\r\n\r\n");
    wire
}

const SITE_CAP: &str = "over the 1000-byte limit of site `site-a` (sites policy --max-bundle-size); raise it with `stella feedser sites policy site-a --max-bundle-size SIZE`, or ask the sending site for smaller bundles (`bundle export --max-items N`)";

/// The site's own cap, known from its token before the body is read:
/// `Content-Length` (HTTP/1.1 and 1.0) refused up front, chunked cut one
/// byte past it; nothing reaches the import.
#[test]
fn the_senders_cap_holds_on_every_framing() {
    let (a, bundle) = peer("site-a");
    let hub = hub(Backend::Sqlite, &[(&a, TOKEN_A)]);
    hub.cmd(&[
        "feedser",
        "sites",
        "policy",
        "site-a",
        "--max-bundle-size",
        "1000",
    ])
    .ok();
    let server = serve(&hub);
    let length = format!("Content-Length: {}\r\n", bundle.len());
    let exact = format!(
        "Bundle too large: the bundle is {} bytes, {SITE_CAP}",
        bundle.len()
    );
    let cut = format!("Bundle too large: the bundle is more than 1000 bytes, {SITE_CAP}");
    for (request, error) in [
        (
            [head("1.1", TOKEN_A, &length).as_bytes(), &bundle].concat(),
            &exact,
        ),
        (
            [head("1.0", TOKEN_A, &length).as_bytes(), &bundle].concat(),
            &exact,
        ),
        (
            [
                head("1.1", TOKEN_A, "Transfer-Encoding: chunked\r\n").as_bytes(),
                &chunked(&bundle),
            ]
            .concat(),
            &cut,
        ),
    ] {
        let reply = server.raw(&request);
        assert_eq!(reply.status, 413, "{}", reply.text());
        assert_eq!(reply.text(), refusal("bundle_too_large", error));
    }
    let listed = hub.json(&["feedser", "sites", "list", "--json"]);
    assert_eq!(listed[0]["bundles_imported"], 0);
    assert!(
        std::fs::read_to_string(hub.home().join("audit.log"))
            .unwrap_or_default()
            .is_empty()
    );
    let metrics = server.get("/metrics", Some(ADMIN)).text();
    assert!(
        metrics.contains("stella_failures_total{operation=\"import\",site_id=\"site-a\",reason=\"bundle_too_large\"} 3\n"),
        "{metrics}"
    );
    // Within the cap, HTTP/1.0 with a Content-Length imports as 1.1 does.
    hub.cmd(&[
        "feedser",
        "sites",
        "policy",
        "site-a",
        "--max-bundle-size",
        "none",
    ])
    .ok();
    let reply = server.raw(&[head("1.0", TOKEN_A, &length).as_bytes(), &bundle].concat());
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["already_imported"], false);
}

/// Starts an import of `bundle` with `token` and, once the server reads
/// its body, sends all of it but the last 100 bytes; the connection to
/// finish it on.
fn held_back(server: &Server, token: &str, bundle: &[u8]) -> TcpStream {
    let mut stream = server.connect();
    let framing = format!(
        "Content-Length: {}\r\nExpect: 100-continue\r\n",
        bundle.len()
    );
    stream
        .write_all(head("1.1", token, &framing).as_bytes())
        .unwrap();
    // Sent once the server reads the body: this import has its turn.
    let mut proceed = [0u8; 25];
    stream.read_exact(&mut proceed).unwrap();
    assert_eq!(&proceed, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(&bundle[..bundle.len() - 100]).unwrap();
    stream
}

fn finish(mut stream: TcpStream, bundle: &[u8]) -> Reply {
    stream.write_all(&bundle[bundle.len() - 100..]).unwrap();
    read_reply(&mut BufReader::new(stream))
}

/// Site C trickles its body (a byte every 200 ms); site A's import is
/// answered meanwhile, no slower than a dry run of it alone plus ~1 s.
#[test]
fn a_trickling_body_does_not_delay_another_peers_import() {
    let (a, bundle_a) = peer("site-a");
    let (c, bundle_c) = peer("site-c");
    let hub = hub(Backend::Sqlite, &[(&a, TOKEN_A), (&c, TOKEN_C)]);
    let server = serve(&hub);
    let started = Instant::now();
    assert_eq!(
        server
            .import("?dry_run=true", &bundle_a, Some(TOKEN_A))
            .status,
        200
    );
    let alone = started.elapsed();
    let mut slow = held_back(&server, TOKEN_C, &bundle_c);
    let tail = &bundle_c[bundle_c.len() - 100..];
    std::thread::scope(|scope| {
        let trickle = scope.spawn(move || {
            for byte in tail {
                slow.write_all(&[*byte]).unwrap();
                std::thread::sleep(Duration::from_millis(200));
            }
            read_reply(&mut BufReader::new(slow))
        });
        std::thread::sleep(Duration::from_millis(500));
        let started = Instant::now();
        let reply = server.import("", &bundle_a, Some(TOKEN_A));
        let took = started.elapsed();
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert!(!trickle.is_finished(), "site C is still sending");
        assert!(
            took < alone + Duration::from_secs(1),
            "site A's import took {took:?} (alone: {alone:?})"
        );
        let slow = trickle.join().unwrap();
        assert_eq!(slow.status, 200, "{}", slow.text());
        assert_eq!(slow.json()["site_id"], "site-c");
    });
}

/// The same peer sends the same bundle twice at once: the second waits
/// for the first, then is answered as a replay; the ledger has it once.
fn a_repeated_import_from_a_peer_is_applied_once(store: Backend) {
    let (a, bundle) = peer("site-a");
    let hub = hub(store, &[(&a, TOKEN_A)]);
    let server = serve(&hub);
    let first = held_back(&server, TOKEN_A, &bundle);
    std::thread::scope(|scope| {
        let second = scope.spawn(|| server.import("", &bundle, Some(TOKEN_A)));
        std::thread::sleep(Duration::from_millis(500));
        assert!(
            !second.is_finished(),
            "the second import waits for the first"
        );
        let first = finish(first, &bundle);
        assert_eq!(first.status, 200, "{}", first.text());
        assert_eq!(first.json()["already_imported"], false);
        let second = second.join().unwrap();
        assert_eq!(second.status, 200, "{}", second.text());
        assert_eq!(second.json()["already_imported"], true);
    });
    let listed = hub.json(&["feedser", "sites", "list", "--json"]);
    assert_eq!(listed[0]["bundles_imported"], 1);
    let history = hub.json(&["feedser", "sites", "history", "site-a", "--json"]);
    assert_eq!(history.as_array().map(Vec::len), Some(1), "{history}");
}

on_both_stores!(a_repeated_import_from_a_peer_is_applied_once);

/// A body still trickling in when the server is told to stop is answered
/// 503 and holds the server no longer than a few reads.
#[test]
fn a_trickling_body_does_not_hold_the_server_past_sigterm() {
    let (a, bundle) = peer("site-a");
    let hub = hub(Backend::Sqlite, &[(&a, TOKEN_A)]);
    let server = serve(&hub);
    let slow = held_back(&server, TOKEN_A, &bundle);
    let mut writer = slow.try_clone().unwrap();
    let tail = bundle[bundle.len() - 100..].to_vec();
    let trickle = std::thread::spawn(move || {
        for byte in tail {
            if writer.write_all(&[byte]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let (code, _stderr) = server.terminate();
    let took = started.elapsed();
    assert_eq!(code, 0);
    assert!(
        took < Duration::from_secs(5),
        "the server took {took:?} to stop"
    );
    let reply = read_reply(&mut BufReader::new(slow));
    assert_eq!(reply.status, 503, "{}", reply.text());
    assert_eq!(reply.json()["reason"], "unavailable");
    trickle.join().unwrap();
    let listed = hub.json(&["feedser", "sites", "list", "--json"]);
    assert_eq!(listed[0]["bundles_imported"], 0);
}
