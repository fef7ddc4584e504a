//! Request limits: sizes, framing, slow clients.

use std::time::{Duration, Instant};

use super::*;

fn post_head(extra: &str) -> String {
    format!(
        "POST /api/v1/federation/import HTTP/1.1\r\nHost: t\r\nContent-Type: application/zstd\r\n{extra}\r\n"
    )
}

#[test]
fn a_declared_length_over_the_cap_is_413_before_the_body_is_sent() {
    let b = Site::new("site-b");
    let server = Server::start(&b, &[]);
    let mut stream = server.connect();
    stream
        .write_all(post_head("Content-Length: 200000000\r\n").as_bytes())
        .unwrap();
    stream.write_all(&vec![0x28; 65536]).unwrap();
    let reply = read_reply(&mut BufReader::new(stream));
    assert_eq!(reply.status, 413);
    assert_eq!(reply.header("connection"), Some("close"));
    assert_eq!(
        reply.json()["error"],
        "Bundle too large: the bundle is 200000000 bytes, over the 104857600-byte limit of this site's config (FederationImport.MaxBundleSizeBytes); raise FederationImport.MaxBundleSizeBytes in the config, or ask the sending site for smaller bundles (`bundle export --max-items N`)"
    );
    assert!(std::fs::read_dir(b.home().join("quarantine")).map_or(true, |d| d.count() == 0));
}

#[test]
fn a_chunked_body_is_cut_at_the_cap() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = std::fs::read(a.export("full.tar.zst", &[])).unwrap();
    let config = b.home().join("concelier.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    let capped: String = text
        .lines()
        .map(
            |l| match l.trim_start().starts_with("MaxBundleSizeBytes:") {
                true => "  MaxBundleSizeBytes: 1000\n".to_owned(),
                false => format!("{l}\n"),
            },
        )
        .collect();
    assert_ne!(capped, text);
    std::fs::write(&config, capped).unwrap();
    let server = Server::start(&b, &[]);
    let mut request = post_head("Transfer-Encoding: chunked\r\n").into_bytes();
    for chunk in bundle.chunks(700) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let reply = server.raw(&request);
    assert_eq!(reply.status, 413, "{}", reply.text());
    assert_eq!(reply.json()["reason"], "bundle_too_large");
}

#[test]
fn framing_ambiguities_and_malformed_heads_are_400() {
    let b = Site::new("site-b");
    let server = Server::start(&b, &[]);
    let both =
        server.raw(post_head("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n").as_bytes());
    assert_eq!(both.status, 400);
    assert_eq!(
        both.json()["error"],
        "bad request: both Content-Length and Transfer-Encoding"
    );
    assert_eq!(server.raw(b"GARBAGE\r\n\r\n").status, 400);
    let gzip = server.raw(post_head("Transfer-Encoding: gzip\r\n").as_bytes());
    assert_eq!(gzip.status, 501);
    let huge = format!(
        "GET /healthz HTTP/1.1\r\nX-Big: {}\r\n\r\n",
        "a".repeat(20_000)
    );
    assert_eq!(server.raw(huge.as_bytes()).status, 431);
    assert_eq!(server.get("/healthz", None).status, 200, "still serving");
}

#[test]
fn a_slow_client_does_not_block_others_and_times_out() {
    let b = Site::new("site-b");
    let server = Server::start(&b, &["--read-timeout", "2", "--workers", "2"]);
    let mut slow = server.connect();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHo").unwrap();
    let started = Instant::now();
    assert_eq!(server.get("/healthz", None).status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "answered while the slow client stalls"
    );
    let reply = read_reply(&mut BufReader::new(slow));
    assert_eq!(reply.status, 408);
    assert!(started.elapsed() >= Duration::from_millis(1500));
    assert_eq!(server.get("/healthz", None).status, 200);
}
