//! `feedser sync pull|push` (issue #27) against a real `feedser serve` on
//! a loopback port: a multi-part delta, the token file, a connection cut
//! in the middle of a part (a tiny proxy in the test), and push.

mod proxy;
mod pull;
mod push;

use crate::growth::{grow, growing_pair};
use crate::harness::*;
use crate::serve::{Server, token_file};

/// `base` as the URL the server printed.
pub fn url(server: &Server) -> String {
    format!("http://{}", server.addr)
}

/// `sync pull site-a --from URL` at `b`, with `extra` flags.
pub fn pull(b: &Site, url: &str, extra: &[&str]) -> Outcome {
    let mut args = vec!["feedser", "sync", "pull", "site-a", "--from", url];
    args.extend_from_slice(extra);
    b.cmd(&args)
}

/// The cursor B holds for A.
pub fn held_cursor(b: &Site) -> String {
    let status = b.json(&["feedser", "sites", "status", "site-a", "--json"]);
    status["last_cursor"].as_str().unwrap().to_owned()
}
