//! Issue #28 item 2, the general case: a verified bundle whose rows the
//! receiving store refuses (here a local trigger; in the wild a constraint,
//! a type or a size the reader does not know of). The import must not leave
//! the peer's chain stuck with nothing but a store error on every retry: it
//! refuses the bundle (exit 4, reason `store_refused`), keeps it in
//! quarantine, applies nothing, and names the way past it, which works.

use crate::harness::*;

/// An OSV record of `pkg:pypi/trac` for `cve`, written to `dir`.
pub(crate) fn record(dir: &std::path::Path, id: &str, cve: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let record = serde_json::json!({
        "id": id,
        "aliases": [cve],
        "summary": format!("{cve} in trac"),
        "affected": [{
            "package": {"name": "trac", "ecosystem": "PyPI", "purl": "pkg:pypi/trac"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0"}]}],
        }],
    });
    std::fs::write(
        dir.join(format!("{id}.json")),
        serde_json::to_vec(&record).unwrap(),
    )
    .unwrap();
}

/// Site `b`'s store refuses any canonical of CVE-2099-0001, and what the
/// store then says.
pub(crate) fn refuse_one_cve(b: &Site) -> &'static str {
    let Some(db) = &b.database else {
        let db = rusqlite::Connection::open(b.home().join("stella.db")).unwrap();
        db.execute_batch(
            "CREATE TRIGGER refuse_one BEFORE INSERT ON canonicals \
             WHEN NEW.cve = 'CVE-2099-0001' \
             BEGIN SELECT RAISE(ABORT, 'refused by a local rule'); END;",
        )
        .unwrap();
        return "store query failed: refused by a local rule";
    };
    let mut client = ::postgres::Client::connect(&db.url(), ::postgres::NoTls).unwrap();
    client
        .batch_execute(
            "CREATE FUNCTION vuln.refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN RAISE EXCEPTION 'refused by a local rule' USING ERRCODE = 'check_violation'; END $$; \
             CREATE TRIGGER refuse_one BEFORE INSERT ON vuln.canonicals FOR EACH ROW \
             WHEN (NEW.cve = 'CVE-2099-0001') EXECUTE FUNCTION vuln.refuse_one();",
        )
        .unwrap();
    "PostgreSQL error: refused by a local rule (23514)"
}

fn export(a: &Site, name: &str, since: Option<&str>) -> (String, serde_json::Value) {
    let path = a.path(name).to_str().unwrap().to_owned();
    let mut args = vec!["feedser", "bundle", "export", "-o", &path, "--json"];
    if let Some(since) = since {
        args.extend(["-c", since]);
    }
    let report = a.cmd(&args).ok().json();
    (path, report["bundles"][0].clone())
}

fn a_bundle_the_store_refuses_is_quarantined_and_the_chain_goes_on(store: Backend) {
    let a = Site::on(store, "site-a");
    let key = a.with_key();
    record(&a.path("osv-1"), "PYSEC-2099-1", "CVE-2099-0001");
    a.cmd(&[
        "feedser",
        "ingest",
        "osv",
        a.path("osv-1").to_str().unwrap(),
    ])
    .ok();
    let b = Site::on(store, "site-b");
    b.trust(&a, &key);
    let said = refuse_one_cve(&b);
    let (first, report) = export(&a, "first.tar.zst", None);
    let hash = report["bundle_hash"].as_str().unwrap().to_owned();
    let refused = b.cmd(&["feedser", "bundle", "import", &first]).code(4);
    let expected = format!(
        "error: the store refused the data of bundle `{hash}` from site `site-a`: {said}; nothing was applied and the bundle is kept in quarantine. A retry fails the same way: ask site `site-a` to correct the record, or import its next bundle with --force (--reason TEXT records why) to go on without this one\n"
    );
    assert_eq!(refused.stderr, expected);
    assert!(b.canonicals().is_empty());
    let kept = b.json(&["feedser", "quarantine", "list", "--json"]);
    let kept = kept.as_array().unwrap();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept[0]["reason"], "store_refused");
    // A retry is refused the same way, and writes nothing either.
    b.cmd(&["feedser", "bundle", "import", &first]).code(4);
    assert!(b.canonicals().is_empty());

    // The next delta meets the gap the refused bundle left ...
    record(&a.path("osv-2"), "PYSEC-2099-2", "CVE-2099-0002");
    a.cmd(&[
        "feedser",
        "ingest",
        "osv",
        a.path("osv-2").to_str().unwrap(),
    ])
    .ok();
    let since = report["export_cursor"].as_str().unwrap();
    let (next, _) = export(&a, "next.tar.zst", Some(since));
    let gap = b.cmd(&["feedser", "bundle", "import", &next]).code(7);
    assert!(
        gap.stderr.starts_with("error: missing delta: "),
        "{}",
        gap.stderr
    );
    // ... and the way the message names takes the chain past it.
    let reason = "CVE-2099-0001 refused by a local rule";
    let done = b
        .cmd(&[
            "feedser", "bundle", "import", &next, "--force", "--reason", reason, "--json",
        ])
        .ok()
        .json();
    assert_eq!(done["success"], true, "{done}");
    assert_eq!(done["forced"], true, "{done}");
    let rows: Vec<serde_json::Value> = b
        .canonicals()
        .iter()
        .map(|r| serde_json::from_str(r).unwrap())
        .collect();
    let cves: Vec<&str> = rows
        .iter()
        .map(|r| r["canonical"]["cve"].as_str().unwrap())
        .collect();
    assert_eq!(cves, ["CVE-2099-0002"]);
}

crate::on_both_stores!(a_bundle_the_store_refuses_is_quarantined_and_the_chain_goes_on);
