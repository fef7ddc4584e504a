//! The seed's endpoints over TLS, with curl as the client; plain HTTP to
//! the TLS port.

use super::*;
use crate::serve::token_file;

/// A, B trusting A, A's full bundle, and B serving over TLS with a token.
fn served_pair() -> (Site, Vec<u8>, TlsServer) {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = std::fs::read(a.export("full.tar.zst", &[])).unwrap();
    let token = token_file(&b, TOKEN);
    let ca = Ca::new(&b.path(""), "test-ca");
    let pair = ca.server("server", 2020, 2090);
    let server = TlsServer::start(&b, &ca, &pair, &["--token-file", token.to_str().unwrap()]);
    (b, bundle, server)
}

#[test]
fn healthz_import_and_status_over_tls() {
    let (b, bundle, server) = served_pair();
    let health = server.curl("/healthz", &[]);
    assert_eq!(
        (health.code, health.status, health.body.as_str()),
        (0, 200, "ok\n")
    );
    let auth = format!("Authorization: Bearer {TOKEN}");
    let no_token = server.curl("/api/v1/federation/sync/status", &[]);
    assert_eq!(no_token.status, 401, "{no_token:?}");
    let full = b.path("full.tar.zst");
    std::fs::write(&full, &bundle).unwrap();
    let import = server.curl(
        "/api/v1/federation/import",
        &[
            "-H",
            &auth,
            "-H",
            "Content-Type: application/zstd",
            "--data-binary",
            &format!("@{}", full.display()),
        ],
    );
    assert_eq!((import.code, import.status), (0, 200), "{import:?}");
    let done = import.json();
    assert_eq!(done["success"], true);
    assert_eq!(done["site_id"], "site-a");
    assert_eq!(done["dry_run"], false);
    for key in [
        "bundle_hash",
        "imported_cursor",
        "counts",
        "conflicts",
        "duration_ms",
    ] {
        assert!(done.get(key).is_some(), "{key} missing: {done}");
    }
    let status = server.curl("/api/v1/federation/sync/status", &["-H", &auth]);
    assert_eq!((status.code, status.status), (0, 200), "{status:?}");
    let status = status.json();
    assert_eq!(status["sites"][0]["site_id"], "site-a");
    assert_eq!(status["sites"][0]["bundles_imported"], 1);
    assert_eq!(status["sites"][0]["last_cursor"], done["imported_cursor"]);
    assert_eq!(
        b.json(&["feedser", "sites", "list", "--json"])[0]["bundles_imported"],
        1
    );
}

#[test]
fn plain_http_to_the_tls_port_is_closed_and_serving_goes_on() {
    let (_b, _bundle, server) = served_pair();
    let plain = Command::new("curl")
        .args(["-sS", "--max-time", "30"])
        .arg(format!("http://127.0.0.1:{}/healthz", server.addr.port()))
        .output()
        .unwrap();
    assert_eq!(plain.status.code(), Some(52), "{plain:?}");
    assert_eq!(
        String::from_utf8_lossy(&plain.stderr),
        "curl: (52) Empty reply from server\n"
    );
    assert!(plain.stdout.is_empty());
    let lines = log_lines(&server, 2);
    assert!(
        lines[1].starts_with(
            "stella: info: refused: plain HTTP sent to the TLS port: the client must use https:// peer=127.0.0.1:"
        ),
        "{lines:?}"
    );
    let health = server.curl("/healthz", &[]);
    assert_eq!(
        (health.code, health.status, health.body.as_str()),
        (0, 200, "ok\n")
    );
    let lines = log_lines(&server, 3);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[2].starts_with("stella: info: GET /healthz 200 peer=127.0.0.1:"));
    assert_eq!(
        lines[0],
        format!("stella: info: listening on https://{}", server.addr)
    );
}

/// A connect and close on the TLS port (a port probe) is not logged at
/// the default level; the next request is.
#[test]
fn a_bare_connect_and_close_is_not_logged() {
    let (_b, _bundle, server) = served_pair();
    drop(std::net::TcpStream::connect(server.addr).unwrap());
    let health = server.curl("/healthz", &[]);
    assert_eq!((health.code, health.status), (0, 200), "{health:?}");
    let lines = log_lines(&server, 2);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[1].starts_with("stella: info: GET /healthz 200 peer=127.0.0.1:"),
        "{lines:?}"
    );
}

#[test]
fn tls_1_2_is_served_too() {
    let (_b, _bundle, server) = served_pair();
    let health = server.curl("/healthz", &["--tlsv1.2", "--tls-max", "1.2"]);
    assert_eq!(
        (health.code, health.status, health.body.as_str()),
        (0, 200, "ok\n")
    );
}

/// A client that opens a connection and never starts the handshake holds
/// no worker, and is closed when the head deadline passes.
#[test]
fn a_stalled_handshake_takes_no_worker() {
    use std::io::Read;
    let b = Site::new("site-b");
    let ca = Ca::new(&b.path(""), "test-ca");
    let pair = ca.server("server", 2020, 2090);
    let server = TlsServer::start(&b, &ca, &pair, &["--workers", "1", "--read-timeout", "2"]);
    let mut stalled = std::net::TcpStream::connect(server.addr).unwrap();
    stalled
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let started = std::time::Instant::now();
    let health = server.curl("/healthz", &[]);
    assert_eq!((health.code, health.status), (0, 200), "{health:?}");
    assert!(
        started.elapsed().as_secs() < 2,
        "waited for the stalled one"
    );
    let mut byte = [0u8; 1];
    assert_eq!(stalled.read(&mut byte).unwrap(), 0, "closed without a byte");
    assert!(started.elapsed().as_millis() >= 1900);
    let lines = log_lines(&server, 3);
    assert!(
        lines[2].starts_with(
            "stella: info: refused: the TLS handshake did not finish in time peer=127.0.0.1:"
        ),
        "{lines:?}"
    );
}

/// Keep-alive over TLS: curl sends both requests on one connection.
#[test]
fn two_requests_share_one_tls_connection() {
    let (_b, _bundle, server) = served_pair();
    let first = format!("https://localhost:{}/healthz", server.addr.port());
    let both = server.curl("/healthz", &[&first]);
    assert_eq!((both.code, both.status), (0, 200), "{both:?}");
    assert_eq!(both.body, "ok\n\n200ok\n");
    let lines = log_lines(&server, 3);
    let peer = |line: &str| line.rsplit_once("peer=").map(|(_, p)| p.to_owned());
    assert!(lines[1].starts_with("stella: info: GET /healthz 200 peer=127.0.0.1:"));
    assert_eq!(peer(&lines[1]), peer(&lines[2]), "{lines:?}");
}

/// Past `--max-connections` a TLS connection is closed (a plain `503`
/// would need a handshake first), logged, and the slot comes back.
#[test]
fn past_the_connection_cap_a_tls_client_is_closed() {
    let b = Site::new("site-b");
    let ca = Ca::new(&b.path(""), "test-ca");
    let pair = ca.server("server", 2020, 2090);
    let server = TlsServer::start(&b, &ca, &pair, &["--max-connections", "1"]);
    let held = std::net::TcpStream::connect(server.addr).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let refused = server.curl("/healthz", &[]);
    assert_ne!(refused.code, 0, "{refused:?}");
    assert_eq!(refused.status, 0, "{refused:?}");
    let lines = log_lines(&server, 2);
    assert!(
        lines[1].starts_with(
            "stella: info: refused: the server is busy or stopping: retry later peer=127.0.0.1:"
        ),
        "{lines:?}"
    );
    drop(held);
    let mut health = server.curl("/healthz", &[]);
    for _ in 0..20 {
        if health.status == 200 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        health = server.curl("/healthz", &[]);
    }
    assert_eq!((health.code, health.status), (0, 200), "{health:?}");
}
