//! "Troubleshooting": each documented issue produced as the document
//! describes its cause, refused with the document's phrase first and the
//! documented exit code, and the documented solution where it is a command.

use super::super::lines::*;
use super::Walk;
use crate::harness::*;

pub fn every_documented_refusal(walk: &Walk) {
    cursor_not_after_current(walk);
    signature_verification_failed(walk);
    site_not_allowed(walk);
    bundle_too_large(walk);
    // "Update Site Policy": disabling the site stops its imports.
    walk.line(&walk.b, POLICY_DISABLE).ok();
    let out = walk.line(&walk.b, IMPORT).code(6);
    assert!(
        out.stderr
            .starts_with("error: Site not allowed: site `site-us-east-1` is disabled"),
        "{}",
        out.stderr
    );
}

/// "Bundle is stale": a bundle whose cursor B has already passed. The
/// solution, `--force`, imports it and records that it was forced.
fn cursor_not_after_current(walk: &Walk) {
    let (a, b) = (&walk.a, &walk.b);
    let before = walk.noted_cursor();
    walk.ingest_at_a(&["osv/ecosystems/GHSA-aaaa-bbbb-0030.json"]);
    a.cmd(&[
        "feedser",
        "bundle",
        "export",
        "-c",
        &before,
        "-o",
        "./next.zst",
    ])
    .ok();
    walk.carry("next.zst");
    b.cmd(&["feedser", "bundle", "import", "./next.zst"]).ok();
    // The same changes from an earlier point: not after what B holds.
    let older = {
        let rows = b.json(&["feedser", "sites", "history", "site-us-east-1", "--json"]);
        rows[1]["since_cursor"].as_str().map(str::to_owned)
    };
    let older = older.unwrap_or(before);
    std::fs::remove_file(a.path("bundle.zst")).unwrap();
    a.cmd(&[
        "feedser",
        "bundle",
        "export",
        "-c",
        &older,
        "-o",
        "./bundle.zst",
    ])
    .ok();
    walk.carry("bundle.zst");
    let out = walk.line(b, IMPORT).code(7);
    assert!(
        out.stderr
            .starts_with("error: Cursor not after current: bundle cursor `"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("pass --force"), "{}", out.stderr);
    let out = walk.line(b, IMPORT_FORCE).ok();
    assert!(
        out.stdout
            .contains("  Forced: cursor check overridden (recorded)\n"),
        "{}",
        out.stdout
    );
    let history = walk.line(b, HISTORY_10).ok();
    assert!(
        history
            .stdout
            .lines()
            .nth(1)
            .unwrap()
            .ends_with("(none given)"),
        "{}",
        history.stdout
    );
}

/// "Key mismatch": an allowed site whose bundles are signed by a key B
/// does not hold for it.
fn signature_verification_failed(walk: &Walk) {
    let b = &walk.b;
    let c = peer(walk, "site-eu-central-1", "site-us-east-1.pem");
    let out = b
        .cmd(&["feedser", "bundle", "import", c.to_str().unwrap()])
        .code(5);
    assert!(
        out.stderr
            .starts_with("error: Signature verification failed"),
        "{}",
        out.stderr
    );
}

/// "Policy restriction": a registered, trusted site missing from
/// `FederationImport.AllowedSites`.
fn site_not_allowed(walk: &Walk) {
    let b = &walk.b;
    let d = peer(walk, "site-asia-pacific-1", "own");
    b.cmd(&["feedser", "bundle", "import", d.to_str().unwrap()])
        .code(6)
        .stderr_is("error: Site not allowed: site `site-asia-pacific-1` is not in FederationImport.AllowedSites of the config; add it there to accept its bundles\n");
}

/// "Size limit exceeded": the site's policy cap below the bundle's size.
fn bundle_too_large(walk: &Walk) {
    let (a, b) = (&walk.a, &walk.b);
    a.cmd(&["feedser", "bundle", "export", "-o", "./big.zst"])
        .ok();
    walk.carry("big.zst");
    b.cmd(&[
        "feedser",
        "sites",
        "policy",
        "site-us-east-1",
        "--max-bundle-size",
        "1000",
    ])
    .ok();
    let out = b.cmd(&["feedser", "bundle", "import", "./big.zst"]).code(6);
    assert!(
        out.stderr.starts_with("error: Bundle too large"),
        "{}",
        out.stderr
    );
    b.cmd(&[
        "feedser",
        "sites",
        "policy",
        "site-us-east-1",
        "--max-bundle-size",
        "100MB",
    ])
    .ok();
}

/// A third site registered at B, with its own data exported as a full
/// bundle. `key` is `own` for its own public key, or a file in B's
/// directory to register instead.
fn peer(walk: &Walk, id: &str, key: &str) -> std::path::PathBuf {
    let store = if walk.b.database.is_some() {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let site = Site::on(store, id);
    let own = site.with_key();
    site.cmd(&[
        "feedser",
        "ingest",
        "osv",
        fixture("osv/ecosystems/GHSA-aaaa-bbbb-0031.json")
            .to_str()
            .unwrap(),
    ])
    .ok();
    let bundle = site.export("peer.zst", &[]);
    let to = walk.b.path(&format!("{id}.zst"));
    std::fs::copy(bundle, &to).unwrap();
    let key = if key == "own" { own } else { walk.b.path(key) };
    walk.b
        .cmd(&[
            "feedser",
            "sites",
            "add",
            id,
            "--display-name",
            id,
            "--key",
            key.to_str().unwrap(),
        ])
        .ok();
    to
}
