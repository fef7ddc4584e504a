//! `sync push`: this site's delta after the peer's cursor, posted part by part.

use super::*;

fn push_sends_the_delta_after_the_peers_cursor(store: Backend) {
    let (a, b) = growing_pair(store);
    grow(&a, 40, 21);
    let server = Server::start(&b, &[]);
    let url = url(&server);
    let push = |extra: &[&str]| {
        let mut args = vec!["feedser", "sync", "push", "site-b", "--to", &url];
        args.extend_from_slice(extra);
        a.cmd(&args)
    };
    let out = push(&[]).ok();
    let sent = out.stdout.matches(": imported\n").count();
    assert!(sent > 2, "{}", out.stdout);
    assert_eq!(
        out.stdout.lines().last().unwrap(),
        format!("Pushed to {url} up to cursor {}", held_cursor(&b))
    );
    assert_same(&b.canonicals(), &a.canonicals(), "after the push");
    push(&[]).ok().stdout_is(&format!(
        "{url} is up to date: no changes since {}\n",
        held_cursor(&b)
    ));
    grow(&a, 10, 22);
    let doc = push(&["--json"]).ok().json();
    assert_eq!(doc["bundles"][0]["success"], true, "{doc}");
    assert_same(&b.canonicals(), &a.canonicals(), "after the delta");
    // A peer that does not know this site: nothing is sent.
    let c = Site::on(store, "site-c");
    let other = Server::start(&c, &[]);
    let other_url = format!("http://{}", other.addr);
    a.cmd(&["feedser", "sync", "push", "site-c", "--to", &other_url])
        .code(6)
        .stderr_is(&format!(
            "error: `{other_url}` does not know this site `site-a`: register it there first (`stella feedser sites add site-a --key …`)\n"
        ));
}

crate::on_both_stores!(push_sends_the_delta_after_the_peers_cursor);
