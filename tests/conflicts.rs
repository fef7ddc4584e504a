//! Three-way conflicts: A and B both hold PYSEC-2023-1, B's copy edited.

use crate::harness::*;

/// A's and B's copies of the same advisory differ in their details.
fn setup(store: Backend) -> (Site, Site, std::path::PathBuf) {
    let (a, b) = (Site::on(store, "site-a"), Site::on(store, "site-b"));
    let key = a.with_key();
    b.trust(&a, &key);
    let original = fixture("osv/pypi-2024-10-10/PYSEC-2023-1.json");
    a.cmd(&["feedser", "ingest", "osv", original.to_str().unwrap()])
        .ok();
    let text = std::fs::read_to_string(&original).unwrap();
    let edited = text.replace(
        "Adyen has utility methods",
        "Adyen (edited at B) has utility methods",
    );
    assert_ne!(edited, text);
    b.run(&["feedser", "ingest", "osv", "-"])
        .stdin(edited)
        .go()
        .ok();
    let bundle = a.export("a.tar.zst", &[]);
    (a, b, bundle)
}

fn import(b: &Site, bundle: &std::path::Path, strategy: &str) -> Outcome {
    b.cmd(&[
        "feedser",
        "bundle",
        "import",
        bundle.to_str().unwrap(),
        "--on-conflict",
        strategy,
        "--json",
    ])
}

fn fields(out: &serde_json::Value) -> Vec<(String, String)> {
    out["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["field"].as_str().unwrap().to_owned(),
                c["resolution"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn fail_aborts_with_nothing_written(store: Backend) {
    let (_a, b, bundle) = setup(store);
    let before = b.canonicals();
    let out = import(&b, &bundle, "fail").code(8).json();
    assert_eq!(out["success"], false);
    assert_eq!(out["reason"], "conflict");
    assert_eq!(
        fields(&out),
        [
            ("summary".into(), "fail".into()),
            ("title".into(), "fail".into()),
            ("edges".into(), "fail".into())
        ]
    );
    assert_same(&b.canonicals(), &before, "B against before");
    b.cmd(&["feedser", "sites", "status", "site-a", "--json"])
        .ok();
    assert_eq!(
        b.json(&["feedser", "sites", "status", "site-a", "--json"])["bundles_imported"],
        0
    );
}

fn prefer_remote_takes_the_remote_copy(store: Backend) {
    let (a, b, bundle) = setup(store);
    let out = import(&b, &bundle, "prefer_remote").ok().json();
    assert_eq!(out["counts"]["canonical_updated"], 1);
    // One number: a conflict per field, as the list has them (#22).
    assert_eq!(out["counts"]["conflicts"], 3);
    assert_eq!(out["conflicts"].as_array().unwrap().len(), 3);
    assert_eq!(fields(&out)[0], ("summary".into(), "prefer_remote".into()));
    // B's decision is a version of B's own: A's content, B's history.
    assert_same(&b.contents(), &a.contents(), "B against A");
}

fn prefer_local_keeps_the_local_copy_and_does_not_ask_again(store: Backend) {
    let (a, b, bundle) = setup(store);
    let before = b.contents();
    let out = import(&b, &bundle, "prefer_local").ok().json();
    assert_eq!(out["counts"]["canonical_skipped"], 1);
    assert_eq!(out["counts"]["canonical_updated"], 0);
    assert_eq!(fields(&out)[0], ("summary".into(), "prefer_local".into()));
    assert_same(&b.contents(), &before, "B against before");
    // The conflict is settled: the same remote copy again (a bundle with another
    // manifest, forced past the cursor check) is not a new one.
    let resent = a.export("a2.tar.zst", &["--compression-level", "9"]);
    let args = [
        "feedser",
        "bundle",
        "import",
        resent.to_str().unwrap(),
        "--on-conflict",
        "fail",
        "--force",
        "--reason",
        "resend after a conflict",
        "--json",
    ];
    let out = b.cmd(&args).ok().json();
    assert_eq!(out["counts"]["conflicts"], 0, "{out}");
    assert_eq!(out["counts"]["stale"], 1, "{out}");
    assert_same(&b.contents(), &before, "B against before");
}

crate::on_both_stores!(
    fail_aborts_with_nothing_written,
    prefer_remote_takes_the_remote_copy,
    prefer_local_keeps_the_local_copy_and_does_not_ask_again,
);
