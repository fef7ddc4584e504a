//! A bounded load test, loopback only: 2000 GETs over 32 keep-alive
//! connections and 20 imports interleaved; every request answered, the
//! ledger holds the bundle once, and the server's resident memory does not
//! grow past a small bound.

use super::*;

const CONNECTIONS: usize = 32;
const REQUESTS: usize = 2000;
const IMPORTS: usize = 20;

/// How many requests each connection sends: `REQUESTS` in all.
fn per_connection() -> Vec<usize> {
    (0..CONNECTIONS)
        .map(|i| REQUESTS / CONNECTIONS + usize::from(i < REQUESTS % CONNECTIONS))
        .collect()
}

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
fn every_request_is_answered_no_import_is_doubled_and_memory_stays_flat() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = std::fs::read(a.export("full.tar.zst", &[])).unwrap();
    let server = Server::start(&b, &["--workers", "4"]);
    // Warm up every path once, so allocator pools and caches exist before measuring.
    assert_eq!(server.import("?dry_run=true", &bundle, None).status, 200);
    assert_eq!(gets(&server, 20), vec![200; 20]);
    let before = server.rss_kib();
    let (statuses, imports) = std::thread::scope(|scope| {
        let clients: Vec<_> = per_connection()
            .into_iter()
            .map(|count| {
                let server = &server;
                scope.spawn(move || gets(server, count))
            })
            .collect();
        let importer = scope.spawn(|| {
            (0..IMPORTS)
                .map(|i| {
                    let query = if i % 2 == 0 { "?dry_run=true" } else { "" };
                    let reply = server.import(query, &bundle, None);
                    (reply.status, reply.json()["already_imported"] == false)
                })
                .collect::<Vec<(u16, bool)>>()
        });
        let statuses: Vec<u16> = clients
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect();
        (statuses, importer.join().unwrap())
    });
    assert_eq!(statuses.len(), REQUESTS);
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert!(imports.iter().all(|(s, _)| *s == 200), "{imports:?}");
    // Only the first dry run and the first real import find the bundle new.
    assert_eq!(
        imports.iter().filter(|(_, new)| *new).count(),
        2,
        "{imports:?}"
    );
    let listed = b.json(&["feedser", "sites", "list", "--json"]);
    assert_eq!(
        listed[0]["bundles_imported"], 1,
        "the ledger holds the bundle once"
    );
    let after = server.rss_kib();
    assert!(
        after < before + 8 * 1024,
        "resident memory grew from {before} KiB to {after} KiB"
    );
    let metrics = server.get("/metrics", None).text();
    // `gets` starts with /healthz: an odd count sends one more of it.
    let healthz: usize = per_connection()
        .iter()
        .map(|n| n.div_ceil(2))
        .sum::<usize>()
        + 10;
    let status: usize = per_connection().iter().map(|n| n / 2).sum::<usize>() + 10;
    let expected = format!(
        "stella_http_requests_total{{route=\"/api/v1/federation/import\",status=\"200\"}} {}
stella_http_requests_total{{route=\"/api/v1/federation/sync/status\",status=\"200\"}} {status}
stella_http_requests_total{{route=\"/healthz\",status=\"200\"}} {healthz}
",
        IMPORTS + 1
    );
    assert!(metrics.ends_with(&expected), "{metrics}");
    eprintln!("load: resident memory {before} KiB before, {after} KiB after");
}
