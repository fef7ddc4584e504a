//! One credential per site for `feedser serve` (#26): site tokens kept
//! hashed in the home, the principal a request resolves to (admin or a
//! site), a site's import of another site's bundle refused 403, the
//! status filtered to the site's own row, and the body cap and import
//! order that a slow or repeating peer cannot get around.

mod imports;
mod order;
mod tokens;

use std::path::PathBuf;

use crate::harness::*;
use crate::serve::{Reply, Server};

pub const ADMIN: &str = "admin-0123456789abcdef0123456789";
pub const TOKEN_A: &str = "site-a-0123456789abcdef01234567";
pub const TOKEN_C: &str = "site-c-0123456789abcdef01234567";

pub const STATUS: &str = "/api/v1/federation/sync/status";

/// A token file of mode `mode` named `name` beside `site`'s home.
pub fn secret(site: &Site, name: &str, token: &str, mode: u32) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = site.path(name);
    std::fs::write(&path, format!("{token}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path
}

/// A peer site with a key and the sample data, and its full bundle.
pub fn peer(id: &str) -> (Site, Vec<u8>) {
    let site = Site::new(id);
    site.with_key();
    site.cmd(&[
        "feedser",
        "ingest",
        "osv",
        fixture("osv/pypi-2024-01-01").to_str().unwrap(),
    ])
    .ok();
    let bundle = std::fs::read(site.export("full.tar.zst", &[])).unwrap();
    (site, bundle)
}

/// The hub on `store`, trusting `peers`, each with its own token.
pub fn hub(store: Backend, peers: &[(&Site, &str)]) -> Site {
    let hub = Site::on(store, "hub");
    for (peer, token) in peers {
        hub.trust(peer, &peer.path(&format!("{}.pub.pem", peer.id)));
        let file = secret(&hub, &format!("{}.token", peer.id), token, 0o600);
        hub.cmd(&[
            "feedser",
            "sites",
            "policy",
            &peer.id,
            "--token-file",
            file.to_str().unwrap(),
        ])
        .ok()
        .stderr_is(&format!(
            "site `{}`: API token set (only its SHA-256 is kept)\n",
            peer.id
        ));
    }
    hub
}

/// `hub` serving with the admin token.
pub fn serve(hub: &Site) -> Server {
    let admin = secret(hub, "admin.token", ADMIN, 0o600);
    Server::start(hub, &["--token-file", admin.to_str().unwrap()])
}

/// The site ids of a status document's rows.
pub fn rows(reply: &Reply) -> Vec<String> {
    assert_eq!(reply.status, 200, "{}", reply.text());
    let json = reply.json();
    let sites = json["sites"].as_array().unwrap();
    sites
        .iter()
        .map(|s| s["site_id"].as_str().unwrap().to_owned())
        .collect()
}

/// The JSON refusal the server writes for `reason`.
pub fn refusal(reason: &str, error: &str) -> String {
    let error = serde_json::to_string(error).unwrap();
    format!("{{\n  \"success\": false,\n  \"reason\": \"{reason}\",\n  \"error\": {error}\n}}\n")
}
