//! `sync pull`: the whole chain, the token, a cut connection.

use super::*;

fn a_multi_part_delta_is_pulled_whole_then_again_from_the_cursor(store: Backend) {
    let (a, b) = growing_pair(store);
    grow(&a, 40, 11);
    let server = Server::start(&a, &[]);
    let url = url(&server);
    let metrics = b.path("sync.prom");
    let out = pull(&b, &url, &["--metrics-file", metrics.to_str().unwrap()]).ok();
    let imported = out.stdout.matches(": imported\n").count();
    assert!(imported > 2, "{}", out.stdout);
    let counted = std::fs::read_to_string(&metrics).unwrap();
    let line = format!("stella_bundles_imported_total{{site_id=\"site-a\"}} {imported}\n");
    assert!(counted.contains(&line), "{counted}");
    assert_eq!(
        out.stdout.lines().last().unwrap(),
        format!(
            "Pulled {imported} bundles from {url} for site site-a: up to date at cursor {}",
            held_cursor(&b)
        )
    );
    assert_same(&b.canonicals(), &a.canonicals(), "after the first pull");
    pull(&b, &url, &[]).ok().stdout_is(&format!(
        "Pulled 0 bundles from {url} for site site-a: up to date at cursor {}\n",
        held_cursor(&b)
    ));
    // Later: only the delta, as one more chain.
    grow(&a, 40, 12);
    let doc = pull(&b, &url, &["--json"]).ok().json();
    assert!(doc["bundles"].as_array().unwrap().len() > 1, "{doc}");
    assert!(doc["bundles"][0]["since_cursor"].is_string(), "{doc}");
    assert_eq!(doc["last_cursor"], held_cursor(&b).as_str());
    assert_eq!(doc["retries"], 0);
    assert_same(&b.canonicals(), &a.canonicals(), "after the delta");
    // Every part went through the import: one ledger row each.
    let history = b
        .cmd(&["feedser", "sites", "history", "site-a", "--json"])
        .ok();
    let rows: serde_json::Value = serde_json::from_str(&history.stdout).unwrap();
    let rows = rows.as_array().map_or(0, Vec::len);
    assert_eq!(
        rows as u64,
        imported as u64 + doc["bundles"].as_array().unwrap().len() as u64
    );
}

fn the_token_file_is_sent_and_a_missing_one_is_refused(store: Backend) {
    let (a, b) = growing_pair(store);
    grow(&a, 5, 13);
    let token = token_file(&a, "0123456789abcdef0123");
    let token = token.to_str().unwrap();
    let server = Server::start(&a, &["--token-file", token]);
    let url = url(&server);
    pull(&b, &url, &[]).code(3).stderr_is(&format!(
        "error: `{url}` answered 401 (unauthorized): missing or wrong bearer token: send `Authorization: Bearer TOKEN`\n"
    ));
    pull(&b, &url, &["--token-file", token]).ok();
    assert_same(&b.canonicals(), &a.canonicals(), "with the token");
}

/// The second request's answer is cut after 2000 bytes: the pull tries
/// again from the cursor it holds and ends with everything, no part twice.
fn a_connection_cut_inside_a_part_is_resumed_from_the_last_cursor(store: Backend) {
    let (a, b) = growing_pair(store);
    grow(&a, 40, 14);
    let server = Server::start(&a, &[]);
    let proxy = super::proxy::start(server.addr, 2, 2000);
    let url = format!("http://{}", proxy.addr);
    let out = pull(&b, &url, &["--json"]).ok();
    let doc = out.json();
    assert_eq!(doc["retries"], 1, "{}", out.stderr);
    assert!(out.stderr.contains("retry 1"), "{}", out.stderr);
    assert_same(&b.canonicals(), &a.canonicals(), "after the resumed pull");
    let parts = doc["bundles"].as_array().unwrap();
    for pair in parts.windows(2) {
        assert_eq!(pair[1]["since_cursor"], pair[0]["imported_cursor"]);
    }
    assert!(parts.iter().all(|p| p["already_imported"] == false));
}

fn a_peer_that_never_answers_fails_with_how_to_resume(store: Backend) {
    let (_a, b) = growing_pair(store);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let metrics = b.path("sync.prom");
    let out = pull(
        &b,
        &url,
        &[
            "--retries",
            "1",
            "--metrics-file",
            metrics.to_str().unwrap(),
        ],
    )
    .code(1);
    let counted = std::fs::read_to_string(&metrics).unwrap();
    let failure =
        "stella_failures_total{operation=\"import\",site_id=\"site-a\",reason=\"failure\"} 1\n";
    assert!(counted.contains(failure), "{counted}");
    let expected = format!("error: the connection to `{url}` failed 2 times (");
    assert!(out.stderr.contains(&expected), "{}", out.stderr);
    assert!(
        out.stderr.ends_with("check that `stella feedser serve` runs there, then run again; it resumes from the last cursor imported\n"),
        "{}",
        out.stderr
    );
    pull(&b, "https://hq:8443", &[]).code(2).stderr_is(
        "error: `https://hq:8443`: https is not supported yet: use an http:// URL (for example over an SSH tunnel)\n",
    );
}

/// A URL that serves another site than the one named: the import refuses
/// the first part once its signature is verified (one attempt, counted
/// once), with a message naming the URL; nothing is imported.
fn a_url_serving_another_site_is_refused_once_verified(store: Backend) {
    let (a, b) = growing_pair(store);
    grow(&a, 5, 15);
    let server = Server::start(&a, &[]);
    let url = url(&server);
    let metrics = b.path("sync.prom");
    let m = metrics.to_str().unwrap();
    b.cmd(&["feedser", "sync", "pull", "site-c", "--from", &url, "--metrics-file", m])
        .code(6)
        .stdout_is("")
        .stderr_is(&format!(
            "error: `{url}` serves bundles of site `site-a`, not `site-c`: check --from, or name the site it serves\n"
        ));
    let counted = std::fs::read_to_string(&metrics).unwrap();
    let failures: Vec<&str> = counted
        .lines()
        .filter(|l| l.starts_with("stella_failures_total"))
        .collect();
    assert_eq!(
        failures,
        ["stella_failures_total{operation=\"import\",site_id=\"site-a\",reason=\"other_site\"} 1"],
        "{counted}"
    );
    assert!(b.canonicals().is_empty());
}

crate::on_both_stores!(
    a_url_serving_another_site_is_refused_once_verified,
    a_multi_part_delta_is_pulled_whole_then_again_from_the_cursor,
    the_token_file_is_sent_and_a_missing_one_is_refused,
    a_connection_cut_inside_a_part_is_resumed_from_the_last_cursor,
    a_peer_that_never_answers_fails_with_how_to_resume,
);
