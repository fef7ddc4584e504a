use std::path::PathBuf;

use crate::harness::*;

/// A with data and a key, B trusting A, and A's full bundle.
fn setup(store: Backend) -> (Site, Site, PathBuf) {
    let (a, b) = (Site::on(store, "site-a"), Site::on(store, "site-b"));
    let key = a.with_key();
    b.trust(&a, &key);
    a.cmd(&[
        "feedser",
        "ingest",
        "osv",
        fixture("osv/pypi-2024-01-01").to_str().unwrap(),
    ])
    .ok();
    let bundle = a.export("full.tar.zst", &[]);
    (a, b, bundle)
}

fn import(b: &Site, bundle: &std::path::Path, extra: &[&str]) -> Outcome {
    let mut args = vec!["feedser", "bundle", "import", bundle.to_str().unwrap()];
    args.extend_from_slice(extra);
    b.cmd(&args)
}

/// B's visible state: canonicals, ledger and events.
fn state(b: &Site) -> (Vec<String>, String, String) {
    let history = b
        .cmd(&["feedser", "sites", "history", "site-a"])
        .ok()
        .stdout;
    let events = b.cmd(&["feedser", "events", "--json"]).ok().stdout;
    (b.canonicals(), history, events)
}

fn validate_then_import_then_replay(store: Backend) {
    let (a, b, bundle) = setup(store);
    let out = b
        .cmd(&["feedser", "bundle", "validate", bundle.to_str().unwrap()])
        .ok();
    let text = redact(&out.stdout);
    let name = bundle.file_name().unwrap().to_str().unwrap();
    assert!(
        text.starts_with(&format!(
            "Bundle: {name}\nVersion: feedser-bundle/1.1\nSite: site-a\nCursor: <time>#"
        )),
        "{text}"
    );
    assert!(text.contains("Verification:\n  Hash: ✓ Valid\n  Signature: ✓ Valid (key: sha256:<hash>)\n  Format: ✓ Valid\n\nReady for import.\nBundle hash: sha256:<hash>\nSince: full export\n"), "{text}");

    let first = import(&b, &bundle, &["--json"]).ok().json();
    assert_eq!(first["success"], true);
    assert_eq!(first["dry_run"], false);
    let created = first["counts"]["canonical_created"].as_u64().unwrap();
    assert_eq!(created as usize, a.canonicals().len());
    assert_eq!(first["counts"]["canonical_updated"], 0);
    assert_same(&b.canonicals(), &a.canonicals(), "B against A");
    let events = b.cmd(&["feedser", "events", "--json"]).ok().stdout;
    assert_eq!(events.lines().count() as u64, created);
    assert!(
        events
            .lines()
            .all(|l| l.contains("\"event_type\":\"canonical-imported\"")
                && l.contains("\"action\":\"Created\""))
    );

    let before = state(&b);
    let again = import(&b, &bundle, &[]).ok();
    assert!(
        again.stdout.starts_with(&format!(
            "Bundle {} from site site-a: already imported: nothing to do\n",
            bundle.display()
        )),
        "{}",
        again.stdout
    );
    assert_eq!(state(&b), before);
    let status = b.json(&["feedser", "sites", "status", "site-a", "--json"]);
    assert_eq!(status["bundles_imported"], 1);
}

fn dry_run_reports_and_changes_nothing(store: Backend) {
    let (_a, b, bundle) = setup(store);
    let before = state(&b);
    let dry = import(&b, &bundle, &["--dry-run", "--json"]).ok().json();
    assert_eq!(dry["dry_run"], true);
    assert!(dry["counts"]["canonical_created"].as_u64().unwrap() > 0);
    assert_eq!(state(&b), before);
    let real = import(&b, &bundle, &["--json"]).ok().json();
    assert_eq!(real["counts"], dry["counts"]);
}

fn unknown_site_is_refused(store: Backend) {
    let (_a, _b, bundle) = setup(store);
    let c = Site::on(store, "site-c");
    import(&c, &bundle, &[]).code(6).stderr_is(
        "error: unknown site `site-a`: register it with `stella feedser sites add site-a --display-name NAME --key PUB.pem`\n",
    );
    assert!(c.canonicals().is_empty());
}

fn untrusted_key_is_refused(store: Backend) {
    let (_a, _b, bundle) = setup(store);
    let c = Site::on(store, "site-c");
    let stranger = Site::on(store, "stranger");
    c.trust(&Site::uninitialized("site-a"), &stranger.with_key());
    let out = import(&c, &bundle, &[]).code(5);
    assert!(
        out.stderr
            .starts_with("error: Signature verification failed for site `site-a`: "),
        "{}",
        out.stderr
    );
    assert!(c.canonicals().is_empty());
}

fn key_of_another_site_is_refused(store: Backend) {
    let (_a, _b, bundle) = setup(store);
    // C trusts A's key, but only for site-x; site-a has no key at C.
    let c = Site::on(store, "site-c");
    let a_key = bundle.parent().unwrap().join("site-a.pub.pem");
    c.trust(&Site::uninitialized("site-x"), &a_key);
    c.cmd(&["feedser", "sites", "add", "site-a", "--display-name", "A"])
        .ok();
    import(&c, &bundle, &[]).code(5).stderr_is(
        "error: site `site-a` has no trusted keys: add one with `stella feedser sites policy site-a --add-key PUB.pem`\n",
    );
    assert!(c.canonicals().is_empty());
}

fn revoked_key_is_refused(store: Backend) {
    let (_a, b, bundle) = setup(store);
    let key_id = b.json(&["feedser", "sites", "policy", "site-a", "--json"])["keys"][0]["key_id"]
        .as_str()
        .unwrap()
        .to_owned();
    b.cmd(&[
        "feedser",
        "sites",
        "policy",
        "site-a",
        "--revoke-key",
        &key_id,
    ])
    .ok();
    import(&b, &bundle, &[]).code(5);
    assert!(b.canonicals().is_empty());
}

fn disabled_site_is_refused(store: Backend) {
    let (_a, b, bundle) = setup(store);
    b.cmd(&["feedser", "sites", "policy", "site-a", "--enabled", "false"])
        .ok();
    import(&b, &bundle, &[]).code(6).stderr_is(
        "error: Site not allowed: site `site-a` is disabled: enable it with `stella feedser sites policy site-a --enabled true`\n",
    );
    assert!(b.canonicals().is_empty());
}

fn site_not_in_allowed_sites_is_refused(store: Backend) {
    let (_a, b, bundle) = setup(store);
    let config = b.home().join("concelier.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("AllowedSites: []", "AllowedSites: [site-z]"),
    )
    .unwrap();
    import(&b, &bundle, &[]).code(6).stderr_is(
        "error: Site not allowed: site `site-a` is not in FederationImport.AllowedSites of the config; add it there to accept its bundles\n",
    );
}

fn too_large_bundle_is_refused(store: Backend) {
    let (_a, b, bundle) = setup(store);
    let size = std::fs::metadata(&bundle).unwrap().len();
    b.cmd(&[
        "feedser",
        "sites",
        "policy",
        "site-a",
        "--max-bundle-size",
        "100",
    ])
    .ok();
    import(&b, &bundle, &[]).code(6).stderr_is(&format!(
        "error: Bundle too large: the bundle is {size} bytes, over the 100-byte limit of site `site-a` (sites policy --max-bundle-size); raise it with `stella feedser sites policy site-a --max-bundle-size SIZE`, or ask the sending site for smaller bundles (`bundle export --max-items N`)\n"
    ));
    // Streams are capped too.
    let bytes = std::fs::read(&bundle).unwrap();
    let out = b
        .run(&["feedser", "bundle", "import", "-"])
        .stdin(bytes)
        .go()
        .code(6);
    assert!(
        out.stderr
            .starts_with("error: Bundle too large: the bundle is "),
        "{}",
        out.stderr
    );
    assert!(b.canonicals().is_empty());
}

fn unsigned_bundle_needs_the_policy_to_allow_it(store: Backend) {
    let (a, b, _) = setup(store);
    let unsigned = a.export("unsigned.tar.zst", &["--unsigned"]);
    import(&b, &unsigned, &[]).code(5).stderr_is(
        "error: bundle from site `site-a` is unsigned and this site requires signatures (Federation.RequireSignature)\n",
    );
    import(&b, &unsigned, &["--skip-signature"]).code(5).stderr_is(
        "error: --skip-signature is not allowed here: Federation.RequireSignature is on and FederationImport.SkipSignatureOnTrustedSites is off\n",
    );
    let config = b.home().join("concelier.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace(
            "SkipSignatureOnTrustedSites: false",
            "SkipSignatureOnTrustedSites: true",
        ),
    )
    .unwrap();
    let out = import(&b, &unsigned, &["--skip-signature", "--json"])
        .ok()
        .json();
    assert_eq!(out["signature_skipped"], true);
    let history = b
        .cmd(&["feedser", "sites", "history", "site-a"])
        .ok()
        .stdout;
    assert!(
        history.lines().nth(1).unwrap().ends_with("unsigned  -"),
        "{history}"
    );
}

fn stale_gap_and_replayed_bundles(store: Backend) {
    let (a, b, full) = setup(store);
    import(&b, &full, &[]).ok();
    let first = b.json(&["feedser", "sites", "list", "--json"])[0]["last_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    a.cmd(&[
        "feedser",
        "ingest",
        "osv",
        fixture("osv/pypi-2024-10-10").to_str().unwrap(),
    ])
    .ok();

    // The second bundle of a chain skips the first: a gap.
    let chain = a
        .cmd(&[
            "feedser",
            "bundle",
            "export",
            "-c",
            &first,
            "-o",
            "p.tar.zst",
            "--max-items",
            "3",
            "--json",
        ])
        .ok()
        .json();
    let second = a.path(chain["bundles"][1]["path"].as_str().unwrap());
    let since = chain["bundles"][1]["since_cursor"].as_str().unwrap();
    import(&b, &second, &[]).code(7).stderr_is(&format!(
        "error: missing delta: bundle starts at `{since}` but the last cursor imported from site `site-a` is `{first}`; import the bundles in between first, or pass --force (--reason TEXT records why)\n"
    ));

    let delta = a.export("delta.tar.zst", &["-c", &first]);
    import(&b, &delta, &[]).ok();
    let now = b.json(&["feedser", "sites", "list", "--json"])[0]["last_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(now, first);
    let before = state(&b);

    // A replayed bundle is a no-op success.
    let out = import(&b, &full, &[]).ok();
    assert!(
        out.stdout.contains(": already imported: nothing to do\n"),
        "{}",
        out.stdout
    );
    assert_eq!(state(&b), before);

    // A different bundle that ends where we already are is stale.
    let stale = a.export("full-now.tar.zst", &[]);
    import(&b, &stale, &[]).code(7).stderr_is(&format!(
        "error: Cursor not after current: bundle cursor `{now}` is not after `{now}`, the last cursor imported from site `site-a`; pass --force (--reason TEXT records why) to import it anyway\n"
    ));
    assert_eq!(state(&b), before);

    // --force overrides, and the ledger says so.
    let forced = import(&b, &stale, &["--force", "--reason", "resend", "--json"])
        .ok()
        .json();
    assert_eq!(forced["forced"], true);
    assert_eq!(forced["counts"]["canonical_created"], 0);
    let history = b
        .cmd(&["feedser", "sites", "history", "site-a"])
        .ok()
        .stdout;
    assert!(
        history.lines().nth(1).unwrap().ends_with("forced  resend"),
        "{history}"
    );
    assert_same(&b.canonicals(), &a.canonicals(), "B against A");
}

fn events_file_gets_the_committed_events_only(store: Backend) {
    let (_a, b, bundle) = setup(store);
    let file = b.path("events.ndjson");
    let file_arg = file.to_str().unwrap();
    import(&b, &bundle, &["--dry-run", "--events-file", file_arg]).ok();
    assert!(!file.exists());
    import(&b, &bundle, &["--events-file", file_arg]).ok();
    let written = std::fs::read_to_string(&file).unwrap();
    let stored = b.cmd(&["feedser", "events", "--json"]).ok().stdout;
    assert_eq!(written, stored);
    assert_eq!(written.lines().count(), 20);
    let events: Vec<serde_json::Value> = written
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        events
            .iter()
            .all(|e| e["event_type"] == "canonical-imported" && e["site_id"] == "site-a")
    );
    // Ids only grow (PostgreSQL may skip the ids of the rolled-back dry run).
    let ids: Vec<u64> = events
        .iter()
        .map(|e| e["event_id"].as_u64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let since = b
        .cmd(&[
            "feedser",
            "events",
            "--since",
            &ids[18].to_string(),
            "--json",
        ])
        .ok()
        .stdout;
    assert_eq!(since, written.lines().last().unwrap().to_owned() + "\n");
}

crate::on_both_stores!(
    validate_then_import_then_replay,
    dry_run_reports_and_changes_nothing,
    unknown_site_is_refused,
    untrusted_key_is_refused,
    key_of_another_site_is_refused,
    revoked_key_is_refused,
    disabled_site_is_refused,
    site_not_in_allowed_sites_is_refused,
    too_large_bundle_is_refused,
    unsigned_bundle_needs_the_policy_to_allow_it,
    stale_gap_and_replayed_bundles,
    events_file_gets_the_committed_events_only,
);
