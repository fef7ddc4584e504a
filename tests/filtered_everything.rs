//! An import whose every canonical the site's allowed sources filter out
//! (#27, point 4) says so once on stderr, naming the policy and how to
//! change it; `--json` carries the counts; the exit code is 0.

use crate::harness::*;

const NOTICE: &str = "notice: site `site-a`'s allowed sources (debian) filtered out all 20 \
canonicals of this bundle, so nothing from it was kept: to take them, change the policy with \
`stella feedser sites policy site-a --allowed-sources SOURCE,...` (or `all`)\n";

fn import(b: &Site, bundle: &std::path::Path, json: bool) -> Outcome {
    let mut args = vec!["feedser", "bundle", "import", bundle.to_str().unwrap()];
    if json {
        args.push("--json");
    }
    b.cmd(&args)
}

fn only_debian(store: Backend) -> (Site, Site) {
    let (a, b) = federated_pair(store);
    b.cmd(&[
        "feedser",
        "sites",
        "policy",
        "site-a",
        "--allowed-sources",
        "debian",
    ])
    .ok();
    (a, b)
}

fn a_policy_that_filters_everything_says_so(store: Backend) {
    let (a, b) = only_debian(store);
    let bundle = a.export("full.tar.zst", &[]);
    let out = import(&b, &bundle, true).ok().stderr_is(NOTICE);
    let counts = &out.json()["counts"];
    assert_eq!(counts["canonical_filtered"], 20, "{counts}");
    assert!(counts["edges_filtered"].as_u64().unwrap() >= 20, "{counts}");
    for kept in [
        "canonical_created",
        "canonical_updated",
        "canonical_skipped",
    ] {
        assert_eq!(counts[kept], 0, "{kept}: {counts}");
    }
    assert!(b.canonicals().is_empty());
}

fn the_text_report_says_so_too_and_an_open_policy_says_nothing(store: Backend) {
    let (a, b) = only_debian(store);
    let bundle = a.export("full.tar.zst", &[]);
    let out = import(&b, &bundle, false).ok().stderr_is(NOTICE);
    assert!(
        out.stdout
            .contains("  Filtered by allowed sources: 20 canonicals, "),
        "{}",
        out.stdout
    );
    // With every source allowed again, the next bundle's rows are kept and
    // nothing is said.
    let c = Site::on(store, "site-c");
    c.trust(&a, &a.path("site-a.pub.pem"));
    c.cmd(&[
        "feedser",
        "sites",
        "policy",
        "site-a",
        "--allowed-sources",
        "all",
    ])
    .ok();
    import(&c, &bundle, true).ok().stderr_is("");
    assert_eq!(c.canonicals().len(), 20);
}

crate::on_both_stores!(
    a_policy_that_filters_everything_says_so,
    the_text_report_says_so_too_and_an_open_policy_says_nothing,
);
