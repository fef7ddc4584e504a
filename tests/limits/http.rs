//! The same conditions over `POST /api/v1/federation/import`: one reason
//! code and one message for a bundle over a limit, whatever the framing;
//! the words of the API (query parameters, config keys) instead of flags;
//! and `/metrics` lines that never carry `site_id=""`.

use super::*;
use crate::serve::{Reply, Server};

/// A chunked POST of `body` in 700-byte chunks.
fn chunked(server: &Server, body: &[u8]) -> Reply {
    let mut request = b"POST /api/v1/federation/import HTTP/1.1\r\nHost: t\r\nContent-Type: application/zstd\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    for chunk in body.chunks(700) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    server.raw(&request)
}

#[track_caller]
fn refused(reply: &Reply, status: u16, reason: &str, error: &str) {
    assert_eq!(reply.status, status, "{}", reply.text());
    let json = reply.json();
    assert_eq!(
        (json["reason"].as_str(), json["error"].as_str()),
        (Some(reason), Some(error))
    );
}

/// The cap on the body is the config's, with a `Content-Length` (said
/// before the body is read) and chunked (cut at the cap): 413,
/// `bundle_too_large`, the CLI's message.
#[test]
fn over_the_config_cap_is_413_bundle_too_large_on_every_framing() {
    let (_a, b, bundle) = setup(Backend::Sqlite);
    config_cap(&b, 5000);
    let bytes = std::fs::read(&bundle).unwrap();
    let server = Server::start(&b, &[]);
    let size = bytes.len();
    let exact = format!("Bundle too large: the bundle is {size} bytes, {CONFIG_LIMIT}");
    refused(
        &server.import("", &bytes, None),
        413,
        "bundle_too_large",
        &exact,
    );
    let cut = format!("Bundle too large: the bundle is more than 5000 bytes, {CONFIG_LIMIT}");
    refused(&chunked(&server, &bytes), 413, "bundle_too_large", &cut);
    assert_eq!(entries(&b.home().join("quarantine")), Vec::<String>::new());
}

/// The site's own cap over HTTP, and the metric it counts: under the
/// site the bundle names; a refusal before any site is known leaves the
/// label out.
#[test]
fn site_cap_refusals_count_under_the_site_and_unknown_ones_without_it() {
    let (_a, b, bundle) = setup(Backend::Sqlite);
    b.cmd(&[
        "feedser",
        "sites",
        "policy",
        "site-a",
        "--max-bundle-size",
        "100",
    ])
    .ok();
    let bytes = std::fs::read(&bundle).unwrap();
    let server = Server::start(&b, &[]);
    let message = format!(
        "Bundle too large: the bundle is {} bytes, {SITE_LIMIT}",
        bytes.len()
    );
    refused(
        &server.import("", &bytes, None),
        413,
        "bundle_too_large",
        &message,
    );
    refused(&chunked(&server, &bytes), 413, "bundle_too_large", &message);
    let garbage = server.import("", b"not a bundle at all", None);
    assert_eq!(garbage.status, 422, "{}", garbage.text());
    let metrics = server.get("/metrics", None).text();
    let failures: Vec<&str> = metrics
        .lines()
        .filter(|l| l.starts_with("stella_failures_total{"))
        .collect();
    assert_eq!(
        failures,
        [
            "stella_failures_total{operation=\"import\",reason=\"not_zstd\"} 1",
            "stella_failures_total{operation=\"import\",site_id=\"site-a\",reason=\"bundle_too_large\"} 2",
        ]
    );
    assert!(!metrics.contains("site_id=\"\""), "{metrics}");
}

/// Over HTTP, the way past a refusal is a query parameter or a config key.
#[test]
fn http_errors_name_query_parameters_not_flags() {
    let (a, b, older) = setup(Backend::Sqlite);
    crate::store_refused::record(&a.path("osv-n"), "PYSEC-2099-5", "CVE-2099-0005");
    a.cmd(&[
        "feedser",
        "ingest",
        "osv",
        a.path("osv-n").to_str().unwrap(),
    ])
    .ok();
    let newer = a.export("newer.tar.zst", &[]);
    b.cmd(&["feedser", "bundle", "import", newer.to_str().unwrap()])
        .ok();
    let server = Server::start(&b, &[]);
    let bytes = std::fs::read(&older).unwrap();
    let skip = server.import("?skip_signature=true", &bytes, None);
    refused(
        &skip,
        422,
        "skip_signature_not_allowed",
        "skip_signature=true is not allowed here: Federation.RequireSignature is on and FederationImport.SkipSignatureOnTrustedSites is off",
    );
    let stale = server.import("", &bytes, None);
    assert_eq!(stale.status, 409, "{}", stale.text());
    let error = stale.json()["error"].as_str().unwrap().to_owned();
    assert!(error.starts_with("Cursor not after current: "), "{error}");
    assert!(
        error.ends_with("; pass force=true (reason=TEXT records why) to import it anyway"),
        "{error}"
    );
    let cli = b.cmd(&["feedser", "bundle", "import", older.to_str().unwrap()]);
    assert!(
        cli.code(7)
            .stderr
            .ends_with("; pass --force (--reason TEXT records why) to import it anyway\n")
    );
    // The API always signs what it serves: no `--unsigned` to point at.
    let export = server.get("/api/v1/federation/export", None);
    assert_eq!(export.status, 500, "{}", export.text());
    assert_eq!(
        export.json()["error"],
        "no signing key: the API signs every bundle it serves: create one with `stella authority keys generate --name NAME --algorithm ES256 --purpose federation` and restart `stella feedser serve`"
    );
}
