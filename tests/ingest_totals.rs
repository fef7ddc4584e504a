//! Issue #23 item 4: an ingest speaks in totals. One summary per run
//! (records read, ingested, unchanged, refused; canonicals created, updated,
//! withdrawn, deleted), the refused records grouped by reason with the
//! first five of each and `--verbose` for all, `--json` with the same
//! totals and groups, exit 9 only when a record was refused, and "No
//! changes" only when nothing changed and nothing was refused.

use std::path::Path;

use crate::harness::*;

fn good(dir: &Path, n: u32) {
    let record = serde_json::json!({
        "id": format!("PYSEC-2024-{n}"),
        "aliases": [format!("CVE-2024-{:04}", 1000 + n)],
        "modified": "2024-01-01T00:00:00Z",
        "affected": [{
            "package": {"name": format!("demo{n}"), "ecosystem": "PyPI"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0"}]}],
        }],
    });
    let name = dir.join(format!("a-good-{n}.json"));
    std::fs::write(name, serde_json::to_vec(&record).unwrap()).unwrap();
}

/// A record with no affected package (Bitnami ids, seven of them).
fn empty(dir: &Path, n: u32) {
    let record = serde_json::json!({"id": format!("BIT-demo-2024-{n}"), "affected": []});
    let name = dir.join(format!("b-empty-{n}.json"));
    std::fs::write(name, serde_json::to_vec(&record).unwrap()).unwrap();
}

/// A record whose package has neither purl nor ecosystem and name.
fn nameless(dir: &Path, n: u32) {
    let record = serde_json::json!({
        "id": format!("GHSA-demo-{n}"),
        "aliases": ["CVE-2024-0001"],
        "affected": [{"package": {}}],
    });
    let name = dir.join(format!("c-nameless-{n}.json"));
    std::fs::write(name, serde_json::to_vec(&record).unwrap()).unwrap();
}

/// Three good records, seven without a package, two without a name.
fn mixed(site: &Site) -> std::path::PathBuf {
    let dir = site.path("mixed");
    std::fs::create_dir_all(&dir).unwrap();
    (1..=3).for_each(|n| good(&dir, n));
    (1..=7).for_each(|n| empty(&dir, n));
    (1..=2).for_each(|n| nameless(&dir, n));
    dir
}

const EMPTY: &str = "stella: refused 7 records: no affected package: nothing to ingest\n";
const NAMELESS: &str = "stella: refused 2 records: no package with a usable purl or an \
     ecosystem and a name: give its affected packages a `purl`, or an `ecosystem` and a `name`\n";
const PARTIAL: &str =
    "error: 9 of 12 records were refused (grouped above); the rest were applied\n";

fn stderr(dir: &Path, verbose: bool) -> String {
    let d = dir.display();
    let mut text = EMPTY.to_owned();
    let shown = if verbose { 7 } else { 5 };
    for n in 1..=shown {
        text.push_str(&format!("  BIT-demo-2024-{n} in `{d}/b-empty-{n}.json`"));
        if verbose {
            text.push_str(&format!(
                ": record `BIT-demo-2024-{n}` lists no affected package: nothing to ingest"
            ));
        }
        text.push('\n');
    }
    if !verbose {
        text.push_str("  and 2 more: --verbose lists them all\n");
    }
    text.push_str(NAMELESS);
    for n in 1..=2 {
        text.push_str(&format!("  GHSA-demo-{n} in `{d}/c-nameless-{n}.json`"));
        if verbose {
            text.push_str(&format!(
                ": record `GHSA-demo-{n}` has no package with a usable purl or an ecosystem and \
                 a name: give its affected packages a `purl`, or an `ecosystem` and a `name`"
            ));
        }
        text.push('\n');
    }
    text + PARTIAL
}

fn refusals_are_grouped_with_the_first_five(store: Backend) {
    let a = Site::on(store, "site-a");
    let dir = mixed(&a);
    let path = dir.to_str().unwrap();
    a.cmd(&["feedser", "ingest", "osv", path])
        .code(9)
        .stdout_is(
            "Read 12 records: 3 ingested, 0 unchanged, 9 refused\nCanonicals: 3 created, 0 \
             updated, 0 withdrawn, 0 deleted (superseded), 0 pruned\n",
        )
        .stderr_is(&stderr(&dir, false));
    assert_eq!(a.canonicals().len(), 3);
    // The rerun changes nothing, but records are still refused: no "No
    // changes", still exit 9, and --verbose lists every refused record.
    a.cmd(&["-v", "feedser", "ingest", "osv", path])
        .code(9)
        .stdout_is(
            "Read 12 records: 0 ingested, 3 unchanged, 9 refused\nCanonicals: 0 created, 0 \
             updated, 0 withdrawn, 0 deleted (superseded), 0 pruned\n",
        )
        .stderr_is(&stderr(&dir, true));
}

fn json_carries_the_totals_and_groups(store: Backend) {
    let a = Site::on(store, "site-a");
    let dir = mixed(&a);
    let out = a
        .cmd(&["feedser", "ingest", "osv", "--json", dir.to_str().unwrap()])
        .code(9);
    assert_eq!(out.stderr, PARTIAL);
    let report = out.json();
    let d = dir.display();
    let records: Vec<serde_json::Value> = (1..=5)
        .map(|n| {
            serde_json::json!({
                "origin": format!("{d}/b-empty-{n}.json"),
                "id": format!("BIT-demo-2024-{n}"),
                "error": format!("record `BIT-demo-2024-{n}` lists no affected package: nothing to ingest"),
            })
        })
        .collect();
    assert_eq!(
        report,
        serde_json::json!({
            "counts": {
                "records_read": 12, "records_ingested": 3, "records_unchanged": 0,
                "records_refused": 9, "canonical_created": 3, "canonical_updated": 0,
                "canonical_withdrawn": 0, "canonical_deleted": 0, "canonical_pruned": 0,
            },
            "prune_skipped": false,
            "refusals": [
                {"reason": "no affected package: nothing to ingest", "count": 7, "records": records},
                {"reason": "no package with a usable purl or an ecosystem and a name: give its \
                    affected packages a `purl`, or an `ecosystem` and a `name`",
                 "count": 2,
                 "records": (1..=2).map(|n| serde_json::json!({
                    "origin": format!("{d}/c-nameless-{n}.json"),
                    "id": format!("GHSA-demo-{n}"),
                    "error": format!("record `GHSA-demo-{n}` has no package with a usable purl \
                        or an ecosystem and a name: give its affected packages a `purl`, or an \
                        `ecosystem` and a `name`"),
                 })).collect::<Vec<_>>()},
            ],
        })
    );
    let all = a.cmd(&[
        "-v",
        "feedser",
        "ingest",
        "osv",
        "--json",
        dir.to_str().unwrap(),
    ]);
    let report = all.code(9).json();
    assert_eq!(
        report["refusals"][0]["records"].as_array().unwrap().len(),
        7
    );
    assert_eq!(report["counts"]["records_unchanged"], 3);
}

fn no_changes_only_when_nothing_changed_and_nothing_was_refused(store: Backend) {
    let a = Site::on(store, "site-a");
    let dir = a.path("good");
    std::fs::create_dir_all(&dir).unwrap();
    (1..=2).for_each(|n| good(&dir, n));
    let path = dir.to_str().unwrap();
    a.cmd(&["feedser", "ingest", "osv", path]).ok();
    a.cmd(&["feedser", "ingest", "osv", path]).ok().stdout_is(
        "Read 2 records: 0 ingested, 2 unchanged, 0 refused\nCanonicals: 0 created, 0 updated, \
         0 withdrawn, 0 deleted (superseded), 0 pruned\nNo changes: the store already holds \
         this data.\n",
    );
    // Every record refused: nothing was ingested, and says so.
    let bad = a.path("bad");
    std::fs::create_dir_all(&bad).unwrap();
    (1..=2).for_each(|n| empty(&bad, n));
    let d = bad.display();
    a.cmd(&["feedser", "ingest", "osv", bad.to_str().unwrap()])
        .code(9)
        .stdout_is(
            "Read 2 records: 0 ingested, 0 unchanged, 2 refused\nCanonicals: 0 created, 0 \
             updated, 0 withdrawn, 0 deleted (superseded), 0 pruned\nNothing was ingested: \
             every record was refused.\n",
        )
        .stderr_is(&format!(
            "stella: refused 2 records: no affected package: nothing to ingest\n  \
             BIT-demo-2024-1 in `{d}/b-empty-1.json`\n  BIT-demo-2024-2 in `{d}/b-empty-2.json`\n\
             error: all 2 records were refused (grouped above): nothing was ingested\n"
        ));
    // One record, refused.
    let one = a.path("one.json");
    std::fs::write(&one, br#"{"id":"BIT-x-1","affected":[]}"#).unwrap();
    let out = a.cmd(&["feedser", "ingest", "osv", one.to_str().unwrap()]);
    assert!(
        out.stdout.starts_with("Read 1 record: 0 ingested"),
        "{}",
        out.stdout
    );
    assert!(
        out.code(9)
            .stderr
            .ends_with("error: the one record was refused (grouped above): nothing was ingested\n")
    );
}

/// Issue #22: an `.ndjson` file given as the path, and the same lines on
/// stdin, are read to the last record (one of them refused).
fn an_ndjson_file_and_stdin_read_every_record(store: Backend) {
    let a = Site::on(store, "site-a");
    let dir = a.path("records");
    std::fs::create_dir_all(&dir).unwrap();
    (1..=3).for_each(|n| good(&dir, n));
    empty(&dir, 1);
    let mut lines = String::new();
    for name in ["a-good-1", "a-good-2", "b-empty-1", "a-good-3"] {
        lines += &std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
        lines.push('\n');
    }
    let file = a.path("db.ndjson");
    std::fs::write(&file, &lines).unwrap();
    let path = file.to_str().unwrap();
    a.cmd(&["feedser", "ingest", "osv", path])
        .code(9)
        .stdout_is(
            "Read 4 records: 3 ingested, 0 unchanged, 1 refused\nCanonicals: 3 created, 0 \
             updated, 0 withdrawn, 0 deleted (superseded), 0 pruned\n",
        )
        .stderr_is(&format!(
            "stella: refused 1 record: no affected package: nothing to ingest\n  \
             BIT-demo-2024-1 in `{path}#3`\n\
             error: 1 of 4 records were refused (grouped above); the rest were applied\n"
        ));
    let b = Site::on(store, "site-b");
    b.run(&["feedser", "ingest", "osv", "-"])
        .stdin(lines)
        .go()
        .code(9)
        .stdout_is(
            "Read 4 records: 3 ingested, 0 unchanged, 1 refused\nCanonicals: 3 created, 0 \
             updated, 0 withdrawn, 0 deleted (superseded), 0 pruned\n",
        )
        .stderr_is(
            "stella: refused 1 record: no affected package: nothing to ingest\n  \
             BIT-demo-2024-1 in `<stdin>#3`\n\
             error: 1 of 4 records were refused (grouped above); the rest were applied\n",
        );
    assert_eq!(b.contents(), a.contents());
}

on_both_stores!(
    an_ndjson_file_and_stdin_read_every_record,
    refusals_are_grouped_with_the_first_five,
    json_carries_the_totals_and_groups,
    no_changes_only_when_nothing_changed_and_nothing_was_refused,
);
