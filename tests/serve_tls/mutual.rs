//! Mutual TLS: a client certificate from the client CA, its subject CN the
//! site id, is required; a connection speaks for that site only.

use super::*;
use std::os::unix::fs::PermissionsExt;

use crate::serve::token_file;

/// B serving with a client CA; A and C both trusted by B; the CA; B.
struct Mesh {
    b: Site,
    ca: Ca,
    server: TlsServer,
    a_bundle: PathBuf,
    c_bundle: PathBuf,
}

fn mesh() -> Mesh {
    let (a, b) = federated_pair(Backend::Sqlite);
    let c = Site::new("site-c");
    c.with_key();
    c.cmd(&[
        "feedser",
        "ingest",
        "osv",
        fixture("osv/pypi-2024-01-01").to_str().unwrap(),
    ])
    .ok();
    b.trust(&c, &c.path("site-c.pub.pem"));
    let a_bundle = a.export("full.tar.zst", &[]);
    let c_bundle = c.export("full.tar.zst", &[]);
    let token = token_file(&b, TOKEN);
    let ca = Ca::new(&b.path(""), "test-ca");
    let pair = ca.server("server", 2020, 2090);
    let server = TlsServer::start(
        &b,
        &ca,
        &pair,
        &[
            "--token-file",
            token.to_str().unwrap(),
            "--tls-client-ca",
            ca.cert.to_str().unwrap(),
        ],
    );
    // The sites' scratch directories go with them: keep copies.
    let keep = |from: &Path, name: &str| {
        let to = b.path(name);
        std::fs::copy(from, &to).unwrap();
        to
    };
    Mesh {
        a_bundle: keep(&a_bundle, "a.tar.zst"),
        c_bundle: keep(&c_bundle, "c.tar.zst"),
        b,
        ca,
        server,
    }
}

fn import(server: &TlsServer, client: &Pair, bundle: &Path) -> Curl {
    server.curl(
        "/api/v1/federation/import",
        &[
            "--cert",
            client.cert.to_str().unwrap(),
            "--key",
            client.key.to_str().unwrap(),
            "-H",
            "Content-Type: application/zstd",
            "--data-binary",
            &format!("@{}", bundle.display()),
        ],
    )
}

fn imported(site: &Site) -> serde_json::Value {
    site.json(&["feedser", "sites", "list", "--json"])
}

#[test]
fn a_certificate_bound_to_site_a_imports_site_a_and_not_site_c() {
    let m = mesh();
    let site_a = m.ca.client("site-a", "site-a", 2020, 2090);
    let refused = import(&m.server, &site_a, &m.c_bundle);
    assert_eq!((refused.code, refused.status), (0, 403), "{refused:?}");
    let body = refused.json();
    assert_eq!(body["success"], false);
    assert_eq!(body["reason"], "site_mismatch");
    assert_eq!(
        body["error"],
        "site mismatch: the bundle comes from site `site-c` but the sender is site `site-a`, which may import only its own bundles: send it with site `site-c`'s credentials or the admin token"
    );
    let ok = import(&m.server, &site_a, &m.a_bundle);
    assert_eq!((ok.code, ok.status), (0, 200), "{ok:?}");
    assert_eq!(ok.json()["site_id"], "site-a");
    let sites = imported(&m.b);
    let count = |id: &str| {
        sites
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["site_id"] == id)
            .map(|s| s["bundles_imported"].clone())
    };
    assert_eq!(count("site-a"), Some(serde_json::json!(1)));
    assert_eq!(count("site-c"), Some(serde_json::json!(0)));
}

/// A refused handshake: curl fails before any HTTP status, the server
/// logs one line, and nothing was imported.
#[track_caller]
fn assert_refused(m: &Mesh, client: Option<&Pair>, log: &str, lines: usize) {
    let curl = match client {
        Some(client) => import(&m.server, client, &m.a_bundle),
        None => m.server.curl("/healthz", &[]),
    };
    assert_ne!(curl.code, 0, "{curl:?}");
    assert_eq!(curl.status, 0, "{curl:?}");
    let logged = log_lines(&m.server, lines);
    assert!(
        logged[lines - 1].starts_with(&format!("stella: info: refused: {log}")),
        "{logged:?}"
    );
}

#[test]
fn another_ca_an_expired_certificate_and_no_certificate_are_refused() {
    let m = mesh();
    let other = Ca::new(&m.b.path(""), "other-ca");
    let stranger = other.client("stranger", "site-a", 2020, 2090);
    assert_refused(
        &m,
        Some(&stranger),
        "the TLS handshake failed: invalid peer certificate: UnknownIssuer",
        2,
    );
    let expired = m.ca.client("expired", "site-a", 2020, 2021);
    assert_refused(
        &m,
        Some(&expired),
        "the TLS handshake failed: invalid peer certificate: certificate expired",
        3,
    );
    assert_refused(
        &m,
        None,
        "the TLS handshake failed: peer sent no certificates",
        4,
    );
    assert_eq!(imported(&m.b)[0]["bundles_imported"], 0);
    // The server still serves a good client.
    let site_a = m.ca.client("site-a", "site-a", 2020, 2090);
    let health = m.server.curl(
        "/healthz",
        &[
            "--cert",
            site_a.cert.to_str().unwrap(),
            "--key",
            site_a.key.to_str().unwrap(),
        ],
    );
    assert_eq!((health.code, health.status), (0, 200), "{health:?}");
}

/// A certificate bound to site A and a token of site C on one request
/// name two sites: refused (403) before anything is imported; the same
/// certificate with the admin token is the admin's.
#[test]
fn another_sites_token_with_a_certificate_is_refused() {
    let m = mesh();
    // Beside the admin's token file (`token_file` would replace it).
    let c_token = m.b.path("site-c.token");
    std::fs::write(&c_token, "site-c-token-0123456789\n").unwrap();
    std::fs::set_permissions(&c_token, std::fs::Permissions::from_mode(0o600)).unwrap();
    m.b.cmd(&[
        "feedser",
        "sites",
        "policy",
        "site-c",
        "--token-file",
        c_token.to_str().unwrap(),
    ])
    .ok();
    let site_a = m.ca.client("site-a", "site-a", 2020, 2090);
    let with = |token: &str| {
        m.server.curl(
            "/api/v1/federation/import",
            &[
                "--cert",
                site_a.cert.to_str().unwrap(),
                "--key",
                site_a.key.to_str().unwrap(),
                "-H",
                &format!("Authorization: Bearer {token}"),
                "-H",
                "Content-Type: application/zstd",
                "--data-binary",
                &format!("@{}", m.c_bundle.display()),
            ],
        )
    };
    let refused = with("site-c-token-0123456789");
    assert_eq!((refused.code, refused.status), (0, 403), "{refused:?}");
    assert_eq!(
        refused.json()["error"],
        "forbidden: the client certificate is site `site-a`'s but the bearer token is another site's: send one site's credentials"
    );
    assert_eq!(imported(&m.b)[0]["bundles_imported"], 0);
    assert_eq!(imported(&m.b)[1]["bundles_imported"], 0);
    let admin = with(TOKEN);
    assert_eq!((admin.code, admin.status), (0, 200), "{admin:?}");
    assert_eq!(admin.json()["site_id"], "site-c");
}
