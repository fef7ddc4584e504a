//! HTTP framing at the edges (issue #28, Low): `HEAD`, `405`, HTTP/1.0,
//! and a `reason` with control characters. Exact bytes on the wire.

use std::io::{Read, Write};

use super::*;

/// Everything the server sends on one connection after `bytes`, until it
/// closes.
fn conversation(server: &Server, bytes: &[u8]) -> String {
    let mut stream = server.connect();
    stream.write_all(bytes).unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

fn refusal(reason: &str, error: &str) -> String {
    format!(
        "{{\n  \"success\": false,\n  \"reason\": \"{reason}\",\n  \"error\": \"{error}\"\n}}\n"
    )
}

/// A `HEAD` was answered 405 with a body on a kept connection: the client
/// took that body for the start of the next response. Now the 405 has no
/// body (and says what is allowed), and the next request's answer follows.
#[test]
fn head_gets_headers_only_on_a_kept_connection() {
    let b = Site::new("site-b");
    let server = Server::start(&b, &[]);
    let wire = conversation(
        &server,
        b"HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    let body = refusal(
        "method_not_allowed",
        "method not allowed on this endpoint: use GET",
    );
    assert_eq!(
        wire,
        format!(
            "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nAllow: GET\r\nContent-Length: {}\r\n\r\n\
             HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 3\r\n\r\nok\n",
            body.len()
        )
    );
}

#[test]
fn a_405_names_the_methods_the_endpoint_takes() {
    let b = Site::new("site-b");
    let server = Server::start(&b, &[]);
    let get = server.get("/api/v1/federation/import", None);
    assert_eq!((get.status, get.header("allow")), (405, Some("POST")));
    assert_eq!(
        get.text(),
        refusal(
            "method_not_allowed",
            "method not allowed on this endpoint: use POST"
        )
    );
    let delete = server.raw(
        b"DELETE /api/v1/federation/sync/status HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    assert_eq!((delete.status, delete.header("allow")), (405, Some("GET")));
}

/// HTTP/1.0 with `Transfer-Encoding: chunked` was told "unsupported
/// transfer encoding `chunked`: send a Content-Length or `chunked`".
#[test]
fn http10_with_a_transfer_encoding_is_a_clear_400() {
    let b = Site::new("site-b");
    let server = Server::start(&b, &[]);
    let reply = server.raw(
        b"POST /api/v1/federation/import HTTP/1.0\r\nContent-Type: application/zstd\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    );
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.text(),
        refusal(
            "bad_request",
            "bad request: an HTTP/1.0 request cannot use Transfer-Encoding: send a Content-Length, or speak HTTP/1.1"
        )
    );
}

/// An HTTP/1.0 client knows no chunked coding: the export streams to it
/// unframed, ended by the close, and is a bundle the peer validates.
#[test]
fn an_http10_client_reads_the_export() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let server = Server::start(&a, &[]);
    let mut stream = server.connect();
    stream
        .write_all(b"GET /api/v1/federation/export HTTP/1.0\r\n\r\n")
        .unwrap();
    let mut wire = Vec::new();
    stream.read_to_end(&mut wire).unwrap();
    let end = wire.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&wire[..end]).into_owned();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("\r\nConnection: close"), "{head}");
    assert!(
        !head.to_ascii_lowercase().contains("transfer-encoding"),
        "{head}"
    );
    let path = b.path("http10.tar.zst");
    std::fs::write(&path, &wire[end + 4..]).unwrap();
    let validated = b.cmd(&["feedser", "bundle", "validate", path.to_str().unwrap()]);
    assert!(validated.ok().stdout.contains("\n\nReady for import.\n"));
}

/// A `reason` is kept in the ledger and shown by `sites history`: control
/// characters in one (a NUL would also fail PostgreSQL) are refused before
/// the body is read.
#[test]
fn a_reason_with_control_characters_is_refused() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = std::fs::read(a.export("full.tar.zst", &[])).unwrap();
    let server = Server::start(&b, &[]);
    for reason in ["%1B%5D0%3Bpwned%07", "ok%0D%0Aforged", "nul%00"] {
        let reply = server.import(&format!("?force=true&reason={reason}"), &bundle, None);
        assert_eq!(reply.status, 400, "{reason}");
        assert_eq!(
            reply.text(),
            refusal(
                "bad_request",
                "bad request: `reason` holds a control character: send one line of text"
            )
        );
    }
    b.cmd(&["feedser", "sites", "history", "site-a"])
        .ok()
        .stdout_is("IMPORTED AT  CURSOR  ITEMS  CREATED/UPDATED/SKIPPED  DELETED  STALE/ECHO  CONFLICTS  BUNDLE HASH  FLAGS  REASON\n");
}
