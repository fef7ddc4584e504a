//! A bounded load test, loopback only: 2000 GETs over 8 keep-alive
//! connections and 20 imports at the same time; every request answered,
//! and the server's resident memory does not grow past a small bound.

use super::*;

const CONNECTIONS: usize = 8;
const PER_CONNECTION: usize = 250;
const IMPORTS: usize = 20;

/// `count` keep-alive GETs on one connection, alternating two endpoints;
/// returns the statuses.
fn gets(server: &Server, count: usize) -> Vec<u16> {
    let stream = server.connect();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    (0..count)
        .map(|i| {
            let path = match i % 2 {
                0 => "/healthz",
                _ => "/api/v1/federation/sync/status",
            };
            write!(writer, "GET {path} HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
            read_reply(&mut reader).status
        })
        .collect()
}

#[test]
fn every_request_is_answered_and_memory_stays_flat() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = std::fs::read(a.export("full.tar.zst", &[])).unwrap();
    let server = Server::start(&b, &["--workers", "4"]);
    // Warm up every path once, so allocator pools and caches exist before measuring.
    assert_eq!(server.import("", &bundle, None).status, 200);
    assert_eq!(gets(&server, 20), vec![200; 20]);
    let before = server.rss_kib();
    let (statuses, imports) = std::thread::scope(|scope| {
        let clients: Vec<_> = (0..CONNECTIONS)
            .map(|_| scope.spawn(|| gets(&server, PER_CONNECTION)))
            .collect();
        let importer = scope.spawn(|| {
            (0..IMPORTS)
                .map(|i| {
                    let query = if i % 2 == 0 { "?dry_run=true" } else { "" };
                    server.import(query, &bundle, None).status
                })
                .collect::<Vec<u16>>()
        });
        let statuses: Vec<u16> = clients
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect();
        (statuses, importer.join().unwrap())
    });
    assert_eq!(statuses.len(), CONNECTIONS * PER_CONNECTION);
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(imports, vec![200; IMPORTS]);
    let after = server.rss_kib();
    assert!(
        after < before + 8 * 1024,
        "resident memory grew from {before} KiB to {after} KiB"
    );
    let metrics = server.get("/metrics", None).text();
    let each = CONNECTIONS * PER_CONNECTION / 2 + 10;
    let expected = format!(
        "stella_http_requests_total{{route=\"/api/v1/federation/import\",status=\"200\"}} {}
stella_http_requests_total{{route=\"/api/v1/federation/sync/status\",status=\"200\"}} {each}
stella_http_requests_total{{route=\"/healthz\",status=\"200\"}} {each}
",
        IMPORTS + 1
    );
    assert!(metrics.ends_with(&expected), "{metrics}");
    eprintln!("load: resident memory {before} KiB before, {after} KiB after");
}
