//! Site tokens at rest and the principal each credential resolves to.

use super::*;

/// `sites policy ID --token-file` keeps only the token's SHA-256 (0600),
/// `--no-token` removes it; the file rules of `serve --token-file` hold.
#[test]
fn a_site_token_is_stored_hashed_and_no_token_removes_it() {
    use std::os::unix::fs::PermissionsExt;
    let (a, _bundle) = peer("site-a");
    let hub = hub(Backend::Sqlite, &[(&a, TOKEN_A)]);
    let file = hub.home().join("site-tokens.json");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains(TOKEN_A), "{text}");
    let digest = sha256_hex(TOKEN_A);
    assert_eq!(text, format!("{{\n  \"site-a\": \"{digest}\"\n}}\n"));
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let policy = ["feedser", "sites", "policy", "site-a"];
    hub.cmd(&[&policy[..], &["--no-token"]].concat())
        .ok()
        .stderr_is("site `site-a`: API token removed\n");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "{}\n");
    hub.cmd(&[&policy[..], &["--no-token"]].concat())
        .ok()
        .stderr_is("site `site-a` has no API token: nothing to remove\n");
    let open = secret(&hub, "open.token", TOKEN_A, 0o644);
    let refused = hub.cmd(&[&policy[..], &["--token-file", open.to_str().unwrap()]].concat());
    refused.code(3).stderr_is(&format!(
        "error: the token file `{}` can be read by other users (mode 0644): run `chmod 600 {}`\n",
        open.display(),
        open.display()
    ));
    let short = secret(&hub, "short.token", "short", 0o600);
    hub.cmd(&[&policy[..], &["--token-file", short.to_str().unwrap()]].concat())
        .code(3);
    let ok = secret(&hub, "ok.token", TOKEN_A, 0o600);
    hub.cmd(&[
        "feedser",
        "sites",
        "policy",
        "nope",
        "--token-file",
        ok.to_str().unwrap(),
    ])
    .code(12)
    .stderr_is("error: site `nope` not found\n");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "{}\n");
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

/// 401 for a wrong token; the admin sees every site's row, a site its own
/// only (the seed's shape, `local_cursor` kept), and not `/metrics`; a
/// removed token is refused at once, without a restart.
fn statuses_by_principal(store: Backend) {
    let (a, _) = peer("site-a");
    let (c, _) = peer("site-c");
    let hub = hub(store, &[(&a, TOKEN_A), (&c, TOKEN_C)]);
    let server = serve(&hub);
    let wrong = server.get(STATUS, Some("site-x-0123456789abcdef01234567"));
    assert_eq!(wrong.status, 401);
    assert_eq!(
        wrong.text(),
        refusal(
            "unauthorized",
            "missing or wrong bearer token: send `Authorization: Bearer TOKEN`"
        )
    );
    assert_eq!(server.get(STATUS, None).status, 401);
    assert_eq!(rows(&server.get(STATUS, Some(ADMIN))), ["site-a", "site-c"]);
    let mine = server.get(STATUS, Some(TOKEN_A));
    assert_eq!(rows(&mine), ["site-a"]);
    let json = mine.json();
    assert_eq!(crate::serve::sorted_keys(&json), ["local_cursor", "sites"]);
    let listed = hub.json(&["feedser", "sites", "list", "--json"]);
    assert_eq!(json["sites"][0], listed[0]);
    assert_eq!(rows(&server.get(STATUS, Some(TOKEN_C))), ["site-c"]);
    let metrics = server.get("/metrics", Some(TOKEN_A));
    assert_eq!(
        metrics.text(),
        refusal(
            "forbidden",
            "forbidden: `/metrics` counts every site's imports: it needs the admin token"
        )
    );
    assert_eq!(metrics.status, 403);
    assert_eq!(server.get("/metrics", Some(ADMIN)).status, 200);
    hub.cmd(&["feedser", "sites", "policy", "site-c", "--no-token"])
        .ok();
    assert_eq!(server.get(STATUS, Some(TOKEN_C)).status, 401);
    assert_eq!(rows(&server.get(STATUS, Some(TOKEN_A))), ["site-a"]);
}

on_both_stores!(statuses_by_principal);
