//! The endpoints: exact statuses and documents, state after each.

use super::*;

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

/// A, B trusting A, A's full bundle, and B serving with a token.
fn served_pair() -> (Site, Site, Vec<u8>, Server) {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = std::fs::read(a.export("full.tar.zst", &[])).unwrap();
    let token = token_file(&b, TOKEN);
    let server = Server::start(&b, &["--token-file", token.to_str().unwrap()]);
    (a, b, bundle, server)
}

#[test]
fn import_dry_run_then_commit_then_status_and_metrics() {
    let (_a, b, bundle, server) = served_pair();
    let dry = server.import("?dry_run=true", &bundle, Some(TOKEN));
    assert_eq!(dry.status, 200, "{}", dry.text());
    let dry = dry.json();
    assert_eq!(
        (dry["success"].as_bool(), dry["dry_run"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(
        b.json(&["feedser", "sites", "list", "--json"])[0]["bundles_imported"],
        0
    );

    let done = server.import("", &bundle, Some(TOKEN));
    assert_eq!(done.status, 200, "{}", done.text());
    let done = done.json();
    assert_eq!(done["dry_run"], false);
    assert_eq!(done["already_imported"], false);
    assert_eq!(done["site_id"], "site-a");
    assert_eq!(done["bundle_hash"], dry["bundle_hash"]);
    assert_eq!(sorted_keys(&done), IMPORT_KEYS);

    let status = server.get("/api/v1/federation/sync/status", Some(TOKEN));
    assert_eq!(status.status, 200);
    let status = status.json();
    let listed = b.json(&["feedser", "sites", "list", "--json"]);
    let site = &status["sites"][0];
    assert_eq!(site["site_id"], "site-a");
    assert_eq!(site["bundles_imported"], 1);
    assert_eq!(site["last_cursor"], done["imported_cursor"]);
    assert_eq!(
        site["total_items_imported"],
        listed[0]["total_items_imported"]
    );
    assert_eq!(site["last_sync_at"], listed[0]["last_sync_at"]);
    assert_eq!(
        status["local_cursor"],
        b.json(&["feedser", "sites", "status", "site-a", "--json"])["local_cursor"]
    );

    let metrics = server.get("/metrics", Some(TOKEN));
    assert_eq!(
        metrics.header("content-type"),
        Some("text/plain; version=0.0.4")
    );
    let text = metrics.text();
    assert!(
        text.contains("stella_bundles_imported_total{site_id=\"site-a\"} 1\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "stella_http_requests_total{route=\"/api/v1/federation/import\",status=\"200\"} 2\n"
        ),
        "{text}"
    );

    let audit = std::fs::read_to_string(b.home().join("audit.log")).unwrap();
    let last: serde_json::Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    assert_eq!(last["command"], "feedser serve");
    assert_eq!(last["outcome"], "committed");
    assert!(
        last["bundle"]
            .as_str()
            .unwrap()
            .starts_with("http:127.0.0.1:")
    );
}

#[test]
fn tokens_statuses_and_content_types() {
    let (_a, _b, bundle, server) = served_pair();
    assert_eq!(server.get("/healthz", None).text(), "ok\n");
    let none = server.get("/api/v1/federation/sync/status", None);
    assert_eq!(none.status, 401);
    assert_eq!(none.header("www-authenticate"), Some("Bearer"));
    assert_eq!(none.json()["reason"], "unauthorized");
    let wrong = server.get("/metrics", Some("0123456789abcdef0123456789abcdeX"));
    assert_eq!(wrong.status, 401);
    assert_eq!(server.get("/nope", Some(TOKEN)).status, 404);
    assert_eq!(
        server.get("/api/v1/federation/import", Some(TOKEN)).status,
        405
    );
    let head = format!(
        "POST /api/v1/federation/import HTTP/1.1\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
        bundle.len()
    );
    let wrong_type = server.raw(&[head.as_bytes(), &bundle].concat());
    assert_eq!(wrong_type.status, 415);
    assert_eq!(
        String::from_utf8(wrong_type.body).unwrap(),
        "{\n  \"success\": false,\n  \"reason\": \"unsupported_media_type\",\n  \"error\": \"the body must be `Content-Type: application/zstd`\"\n}\n"
    );
    let bad = server.import("?on_conflict=maybe", &bundle, Some(TOKEN));
    assert_eq!(bad.status, 400);
    // A reason says why force=true: alone it is a mistake (#22).
    let reason = server.import("?reason=why", &bundle, Some(TOKEN));
    assert_eq!(reason.status, 400);
    assert_eq!(
        reason.json()["error"],
        "bad request: `reason` says why `force=true` overrides the cursor check: give it with `force=true`"
    );
    // force=true as the document writes it needs no reason.
    let force = server.import("?force=true", &bundle, Some(TOKEN));
    assert_eq!(force.status, 200, "{}", force.text());
}

#[test]
fn a_tampered_bundle_is_422_with_its_reason_and_quarantined() {
    let (_a, b, mut bundle, server) = served_pair();
    let at = bundle.len() / 2;
    bundle[at] ^= 0x55;
    let refused = server.import("", &bundle, Some(TOKEN));
    assert_eq!(refused.status, 422, "{}", refused.text());
    let doc = refused.json();
    assert_eq!(doc["success"], false);
    let tampered = b.path("tampered.tar.zst");
    std::fs::write(&tampered, &bundle).unwrap();
    let cli = b
        .cmd(&[
            "feedser",
            "bundle",
            "import",
            tampered.to_str().unwrap(),
            "--json",
        ])
        .json();
    assert_eq!(doc["reason"], cli["reason"]);
    assert_eq!(doc["error"], cli["error"]);
    let kept = b.json(&["feedser", "quarantine", "list", "--json"]);
    assert_eq!(
        kept.as_array().unwrap().len(),
        2,
        "the HTTP refusal and the CLI's"
    );
    assert_eq!(
        b.json(&["feedser", "sites", "list", "--json"])[0]["bundles_imported"],
        0
    );
}

#[test]
fn conflicts_under_fail_are_409() {
    let (a, b) = (Site::new("site-a"), Site::new("site-b"));
    let key = a.with_key();
    b.trust(&a, &key);
    let original = fixture("osv/pypi-2024-10-10/PYSEC-2023-1.json");
    a.cmd(&["feedser", "ingest", "osv", original.to_str().unwrap()])
        .ok();
    let edited = std::fs::read_to_string(&original).unwrap().replace(
        "Adyen has utility methods",
        "Adyen (edited at B) has utility methods",
    );
    b.run(&["feedser", "ingest", "osv", "-"])
        .stdin(edited)
        .go()
        .ok();
    let bundle = std::fs::read(a.export("a.tar.zst", &[])).unwrap();
    let before = b.canonicals();
    let server = Server::start(&b, &[]);
    let reply = server.import("?on_conflict=fail", &bundle, None);
    assert_eq!(reply.status, 409, "{}", reply.text());
    let doc = reply.json();
    assert_eq!(doc["reason"], "conflict");
    assert!(!doc["conflicts"].as_array().unwrap().is_empty());
    assert_eq!(b.canonicals(), before, "nothing written");
}

#[test]
fn export_streams_a_bundle_the_peer_validates() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let server = Server::start(&a, &[]);
    let reply = server.get("/api/v1/federation/export", None);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/zstd"));
    assert_eq!(reply.header("x-stella-more"), Some("false"));
    let path = b.path("over-http.tar.zst");
    std::fs::write(&path, &reply.body).unwrap();
    let report = b.json(&[
        "feedser",
        "bundle",
        "validate",
        path.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(
        report["export_cursor"].as_str(),
        reply.header("x-stella-export-cursor")
    );
    let cursor = reply
        .header("x-stella-export-cursor")
        .unwrap()
        .replace(':', "%3A")
        .replace('#', "%23");
    let empty = server.get(&format!("/api/v1/federation/export?since={cursor}"), None);
    assert_eq!(empty.status, 204);
    assert_eq!(
        server
            .get("/api/v1/federation/export?since=nope", None)
            .status,
        400
    );
}
