//! `feedser sites remove ID` (#27): the site leaves `sites list`, its
//! bundles are refused as an unknown site's, its ledger stays readable with
//! `sites history`, and `sites add` of the same id restores it.

use crate::harness::*;

const REMOVED: &str = "removed site `site-a`: its bundles are refused from now on; its import \
history stays readable with `stella feedser sites history site-a`, and `stella feedser sites add \
site-a --display-name NAME` restores it\n";

const UNKNOWN: &str = "error: unknown site `site-a`: register it with `stella feedser sites add \
site-a --display-name NAME --key PUB.pem`\n";

fn import(b: &Site, bundle: &std::path::Path) -> Outcome {
    b.cmd(&[
        "feedser",
        "bundle",
        "import",
        bundle.to_str().unwrap(),
        "--json",
    ])
}

fn listed(b: &Site) -> Vec<String> {
    let sites = b.json(&["feedser", "sites", "list", "--json"]);
    let sites = sites.as_array().unwrap().iter();
    sites
        .map(|s| s["site_id"].as_str().unwrap().to_owned())
        .collect()
}

fn history(b: &Site) -> Outcome {
    b.cmd(&["feedser", "sites", "history", "site-a", "--json"])
}

fn removed_site_is_refused_and_its_ledger_kept(store: Backend) {
    let (a, b) = federated_pair(store);
    let full = a.export("full.tar.zst", &[]);
    import(&b, &full).ok();
    let before = history(&b).ok().stderr_is("").stdout;
    assert_eq!(listed(&b), ["site-a"]);

    b.cmd(&["feedser", "sites", "remove", "site-a"])
        .ok()
        .stderr_is("")
        .stdout_is(REMOVED);
    assert!(listed(&b).is_empty());
    let held = b.canonicals();
    import(&b, &full).code(6).stderr_is(UNKNOWN);
    assert_eq!(b.canonicals(), held, "a refused import wrote nothing");
    for cmd in ["status", "policy"] {
        b.cmd(&["feedser", "sites", cmd, "site-a"])
            .code(12)
            .stderr_is("error: site `site-a` not found\n");
    }
    let kept = history(&b).ok();
    assert_eq!(kept.stdout, before, "the ledger rows stay as they were");
    assert_eq!(kept.json().as_array().unwrap().len(), 1);
    let note = redact(&kept.stderr);
    assert_eq!(
        note,
        "note: site `site-a` was removed at <time>; its ledger is kept for audit\n"
    );
    b.cmd(&["feedser", "sites", "remove", "site-a"])
        .code(12)
        .stderr_is("error: site `site-a` not found\n");
}

fn adding_a_removed_site_again_restores_it(store: Backend) {
    let (a, b) = federated_pair(store);
    import(&b, &a.export("full.tar.zst", &[])).ok();
    b.cmd(&["feedser", "sites", "remove", "site-a"]).ok();
    let key = a.path("site-a.pub.pem");
    let key_id = a.json(&["authority", "keys", "list", "--json"])[0]["key_id"]
        .as_str()
        .unwrap()
        .to_owned();
    b.cmd(&[
        "feedser",
        "sites",
        "add",
        "site-a",
        "--display-name",
        "Site A again",
        "--key",
        key.to_str().unwrap(),
    ])
    .ok()
    .stderr_is("")
    .stdout_is(&format!(
        "restored site `site-a` (enabled) with 1 trusted key and its import history\n\
         key `{key_id}` (`{}`) was already trusted: kept as it was\n",
        key.display()
    ));
    assert_eq!(listed(&b), ["site-a"]);
    history(&b).ok().stderr_is("");
    // The restored site's cursor carries on: a full bundle again is a replay.
    let again = import(&b, &a.export("again.tar.zst", &[])).ok().json();
    assert_eq!(again["counts"]["canonical_created"], 0, "{again}");
    b.cmd(&["feedser", "sites", "add", "site-a", "--display-name", "A"])
        .code(2);
}

fn an_unknown_site_cannot_be_removed(store: Backend) {
    let b = Site::on(store, "site-b");
    b.cmd(&["feedser", "sites", "remove", "nope"])
        .code(12)
        .stdout_is("")
        .stderr_is("error: site `nope` not found\n");
}

crate::on_both_stores!(
    removed_site_is_refused_and_its_ledger_kept,
    adding_a_removed_site_again_restores_it,
    an_unknown_site_cannot_be_removed,
);
