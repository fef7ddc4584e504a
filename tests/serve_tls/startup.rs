//! Refusals before the server listens: TLS flags, PEM files, an expired
//! certificate, and a token off loopback without TLS.

use super::*;
use crate::serve::token_file;

fn serve(site: &Site, args: &[&str]) -> Outcome {
    let mut argv = vec!["feedser", "serve"];
    argv.extend_from_slice(args);
    site.cmd(&argv)
}

#[test]
fn tls_cert_and_key_come_together() {
    let b = Site::new("site-b");
    let out = b.cmd(&["feedser", "serve", "--tls-cert", "c.pem"]).code(2);
    assert!(
        out.stderr.starts_with(
            "error: the following required arguments were not provided:\n  --tls-key <FILE>\n"
        ),
        "{}",
        out.stderr
    );
    let out = b
        .cmd(&["feedser", "serve", "--tls-client-ca", "ca.pem"])
        .code(2);
    assert!(out.stderr.contains("--tls-cert <FILE>"), "{}", out.stderr);
}

#[test]
fn an_expired_server_certificate_is_refused_at_start() {
    let b = Site::new("site-b");
    let ca = Ca::new(&b.path(""), "test-ca");
    let old = ca.server("old", 2020, 2021);
    b.cmd(&[
        "feedser",
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--tls-cert",
        old.cert.to_str().unwrap(),
        "--tls-key",
        old.key.to_str().unwrap(),
    ])
    .code(3)
    .stdout_is("")
    .stderr_is(&format!(
        "error: the certificate in `{}` expired at 2021-01-01T00:00:00Z: renew it\n",
        old.cert.display()
    ));
}

#[test]
fn unreadable_and_invalid_pem_files_are_named() {
    let b = Site::new("site-b");
    let ca = Ca::new(&b.path(""), "test-ca");
    let pair = ca.server("server", 2020, 2090);
    let cert = pair.cert.to_str().unwrap();
    let missing = b.path("missing.key");
    b.cmd(&[
        "feedser",
        "serve",
        "--tls-cert",
        cert,
        "--tls-key",
        missing.to_str().unwrap(),
    ])
    .code(3)
    .stderr_is(&format!(
        "error: cannot read `{}`: No such file or directory (os error 2)\n",
        missing.display()
    ));
    let garbage = b.path("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    b.cmd(&[
        "feedser",
        "serve",
        "--tls-cert",
        garbage.to_str().unwrap(),
        "--tls-key",
        pair.key.to_str().unwrap(),
    ])
    .code(3)
    .stderr_is(&format!(
        "error: `{}` holds no PEM CERTIFICATE: give a PEM file (`-----BEGIN CERTIFICATE-----`)\n",
        garbage.display()
    ));
    // The key of another certificate.
    let other = ca.server("other", 2020, 2090);
    let out = b
        .cmd(&[
            "feedser",
            "serve",
            "--tls-cert",
            cert,
            "--tls-key",
            other.key.to_str().unwrap(),
        ])
        .code(3);
    assert!(
        out.stderr
            .starts_with("error: the certificate and key do not make a TLS setup ("),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.ends_with(&format!(
            "): check that `{}` is the key of `{cert}`\n",
            other.key.display()
        )),
        "{}",
        out.stderr
    );
}

#[test]
fn a_token_off_loopback_needs_tls_or_insecure_http() {
    let b = Site::new("site-b");
    let token = token_file(&b, TOKEN);
    let token = token.to_str().unwrap();
    serve(&b, &["--listen", "0.0.0.0:0", "--token-file", token])
        .code(2)
        .stderr_is("error: refusing to serve the token over plain HTTP on `0.0.0.0:0`: anyone on the network path could read it; pass --tls-cert FILE --tls-key FILE, or --insecure-http on a network you trust\n");
    // With --insecure-http the rule lets it through: it gets as far as
    // binding (a documentation address, so no socket is opened off loopback).
    let out = serve(
        &b,
        &[
            "--listen",
            "192.0.2.1:0",
            "--token-file",
            token,
            "--insecure-http",
        ],
    )
    .code(1);
    assert!(
        out.stderr
            .starts_with("error: cannot listen on `192.0.2.1:0`: "),
        "{}",
        out.stderr
    );
    // Without a token the older rule still speaks first.
    serve(&b, &["--listen", "0.0.0.0:0", "--insecure-http"])
        .code(2)
        .stderr_is("error: refusing to listen on `0.0.0.0:0` without a token: the API would be open to the network; pass --token-file FILE, or listen on 127.0.0.1\n");
}
