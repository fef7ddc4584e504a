//! Issue #28, rows an older stella stored before the row rules existed: an
//! identifier with a control character, a key over 512 bytes, a merge hash
//! that is not the row's identity. Every peer refuses a bundle carrying one,
//! so export leaves such a row out, with a warning naming it, and the rest
//! of the site federates. Rows stored since (with a history) passed the
//! same rules at ingest or import and are sent unchecked.

use crate::harness::*;

/// Rewrites the stored export line of the canonical of `cve` as an older
/// stella would have stored it: no history (the last field), and `edit`
/// applied to the JSON text (which keeps the model's field order).
fn store_as_legacy(a: &Site, cve: &str, edit: impl Fn(String) -> String) {
    let db = rusqlite::Connection::open(a.home().join("stella.db")).unwrap();
    let (seq, line): (i64, String) = db
        .query_row(
            "SELECT seq, line FROM export_lines WHERE line LIKE ?1",
            [format!("%\"cve\":\"{cve}\"%")],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let at = line.rfind(",\"history\":{").unwrap();
    let line = format!("{}}}\n", edit(line[..at].to_owned()));
    let sql = "UPDATE export_lines SET line = ?1 WHERE seq = ?2";
    assert_eq!(db.execute(sql, rusqlite::params![line, seq]).unwrap(), 1);
}

fn cves(site: &Site) -> Vec<String> {
    let mut cves: Vec<String> = site
        .canonicals()
        .iter()
        .map(|r| serde_json::from_str::<serde_json::Value>(r).unwrap())
        .map(|r| r["canonical"]["cve"].as_str().unwrap().to_owned())
        .collect();
    cves.sort();
    cves.dedup();
    cves
}

#[test]
fn rows_an_older_stella_stored_that_peers_refuse_stay_home() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let all = cves(&a);
    assert!(all.len() >= 4, "{all:?}");
    // One clean legacy row, and one of each fault.
    store_as_legacy(&a, &all[0], |r| r);
    let cve = format!("\"cve\":\"{}\"", all[1]);
    store_as_legacy(&a, &all[1], |r| {
        r.replace(&cve, "\"cve\":\"CVE-2099-9999\"")
    });
    let key = |to: String| move |r: String| r.replace("\"affects_key\":\"pkg:pypi/", &to);
    store_as_legacy(
        &a,
        &all[2],
        key("\"affects_key\":\"pkg:pypi/x\\u001b]0;owned\\u0007".into()),
    );
    store_as_legacy(
        &a,
        &all[3],
        key(format!("\"affects_key\":\"pkg:pypi/{}", "x".repeat(600))),
    );
    let bundle = a.path("full.tar.zst");
    let out = a
        .cmd(&[
            "feedser",
            "bundle",
            "export",
            "-o",
            bundle.to_str().unwrap(),
        ])
        .ok();
    let warnings: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("left out of the export"))
        .collect();
    assert_eq!(warnings.len(), 3, "{}", out.stderr);
    let hash = |w: &str| w.split('`').nth(1).unwrap().to_owned();
    let merge = warnings
        .iter()
        .find(|w| w.contains("merge hash `"))
        .unwrap();
    assert!(
        merge.ends_with(&format!(
            "left out of the export: stored by an older stella, it breaks a rule every peer enforces (merge hash `{}` is not `sha256:0a754a8cd86182a0d65366a05fb909f049cbc46684caf08dcf5484430d5fa160`, the hash of the row's cve, affects_key, version_range, weaknesses and patch_lineage (see stella-merge-hash(7))); re-ingest its upstream record, which stores it as peers accept it",
            hash(merge)
        )),
        "{merge}"
    );
    assert!(
        warnings.iter().all(|w| !w.contains('\u{1b}')),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("holds 614 bytes, over the limit of 512")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("control character U+001B")),
        "{warnings:?}"
    );
    let report = b
        .cmd(&["feedser", "bundle", "validate", bundle.to_str().unwrap()])
        .ok();
    assert!(
        report.stdout.contains("\n\nReady for import.\n"),
        "{}",
        report.stdout
    );
    b.cmd(&["feedser", "bundle", "import", bundle.to_str().unwrap()])
        .ok();
    let expected: Vec<String> = [&all[..1], &all[4..]].concat();
    assert_eq!(cves(&b), expected);
}
