use crate::harness::*;

fn add_list_and_json(store: Backend) {
    let (a, b) = (Site::on(store, "site-a"), Site::on(store, "site-b"));
    let key = a.with_key();
    b.cmd(&[
        "feedser",
        "sites",
        "add",
        "site-a",
        "--display-name",
        "Site A",
        "--key",
        key.to_str().unwrap(),
    ])
    .ok()
    .stdout_is("registered site `site-a` (enabled) with 1 trusted key\n");
    b.cmd(&[
        "feedser",
        "sites",
        "add",
        "site-c",
        "--display-name",
        "C",
        "--enabled",
        "false",
    ])
    .ok()
    .stdout_is("registered site `site-c` (disabled) with 0 trusted keys\n");
    b.cmd(&["feedser", "sites", "list"]).ok().stdout_is(
        "SITE ID  STATUS    LAST SYNC  CURSOR\n───────  ────────  ─────────  ──────\nsite-a   enabled   never      -\nsite-c   disabled  never      -\n",
    );
    let json = b.json(&["feedser", "sites", "list", "--json"]);
    assert_eq!(json[0]["site_id"], "site-a");
    assert_eq!(json[0]["last_cursor"], serde_json::Value::Null);
    assert_eq!(json[1]["enabled"], false);
}

fn adding_twice_and_bad_keys_are_refused(store: Backend) {
    let b = Site::on(store, "site-b");
    b.cmd(&["feedser", "sites", "add", "site-a", "--display-name", "A"])
        .ok();
    b.cmd(&["feedser", "sites", "add", "site-a", "--display-name", "A"])
        .code(2)
        .stderr_is("error: site `site-a` is already registered: change it with `stella feedser sites policy site-a ...` (e.g. --enabled false, --max-bundle-size 100MB, --add-key PUB.pem)\n");
    let junk = b.path("junk.pem");
    std::fs::write(&junk, "not a key").unwrap();
    let out = b
        .cmd(&[
            "feedser",
            "sites",
            "add",
            "site-x",
            "--display-name",
            "X",
            "--key",
            junk.to_str().unwrap(),
        ])
        .code(11);
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    b.cmd(&["feedser", "sites", "list"])
        .ok()
        .stdout_is("SITE ID  STATUS   LAST SYNC  CURSOR\n───────  ───────  ─────────  ──────\nsite-a   enabled  never      -\n");
}

fn policy_shows_and_changes_everything(store: Backend) {
    let (a, b) = (Site::on(store, "site-a"), Site::on(store, "site-b"));
    let key = a.with_key();
    b.cmd(&[
        "feedser",
        "sites",
        "add",
        "site-a",
        "--display-name",
        "Site A",
    ])
    .ok();
    let out = b
        .cmd(&[
            "feedser",
            "sites",
            "policy",
            "site-a",
            "--enabled",
            "false",
            "--max-bundle-size",
            "1MB",
            "--allowed-sources",
            "nvd,pypa",
            "--add-key",
            key.to_str().unwrap(),
        ])
        .ok();
    assert_eq!(
        redact(&out.stdout),
        "Site: site-a (Site A)\nStatus: disabled\nMax bundle size: 1 MB (1048576 bytes)\nAllowed sources: nvd,pypa\nOn conflict: config default\nKeys:\n  sha256:<hash> (trusted)\n"
    );
    let key_id = out
        .stdout
        .lines()
        .last()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let out = b
        .cmd(&[
            "feedser",
            "sites",
            "policy",
            "site-a",
            "--revoke-key",
            &key_id,
            "--allowed-sources",
            "all",
            "--max-bundle-size",
            "none",
        ])
        .ok();
    assert_eq!(
        redact(&out.stdout),
        "Site: site-a (Site A)\nStatus: disabled\nMax bundle size: config default\nAllowed sources: all\nOn conflict: config default\nKeys:\n  sha256:<hash> (revoked <time>)\n"
    );
}

fn unknown_site_is_not_found(store: Backend) {
    let b = Site::on(store, "site-b");
    b.cmd(&["feedser", "sites", "policy", "nope", "--enabled", "true"])
        .code(12)
        .stderr_is("error: site `nope` not found\n");
    b.cmd(&["feedser", "sites", "status", "nope"]).code(12);
    b.cmd(&["feedser", "sites", "history", "nope"]).code(12);
}

fn status_and_history_of_an_unsynced_site(store: Backend) {
    let b = Site::on(store, "site-b");
    b.cmd(&["feedser", "sites", "add", "site-a", "--display-name", "A"])
        .ok();
    b.cmd(&["feedser", "sites", "status", "site-a"]).ok().stdout_is(
        "Site: site-a\nStatus: enabled\nLocal cursor: -\nLast imported cursor: -\nLast sync: never\nBundles imported: 0\nItems imported: 0\nWarning: nothing was ever imported from site `site-a`: import a full bundle from it\n",
    );
    b.cmd(&["feedser", "sites", "history", "site-a"]).ok().stdout_is(
        "IMPORTED AT  CURSOR  ITEMS  CREATED/UPDATED/SKIPPED  DELETED  STALE/ECHO  CONFLICTS  BUNDLE HASH  FLAGS  REASON\n",
    );
}

crate::on_both_stores!(
    add_list_and_json,
    adding_twice_and_bad_keys_are_refused,
    policy_shows_and_changes_everything,
    unknown_site_is_not_found,
    status_and_history_of_an_unsynced_site,
);
