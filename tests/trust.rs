//! Trust boundaries (issue #28): what a bad upstream record can do to a
//! site and its peers (ingest keeps only rows every peer accepts), and what
//! untrusted strings can do to a terminal (everything shown is escaped;
//! `--json` keeps the exact value).

use crate::harness::*;

/// An OSV record of `pkg:pypi/trac` with the given id, aliases, summary and
/// details, written to `dir/name.json`.
fn osv_record(dir: &std::path::Path, id: &str, aliases: &[&str], summary: &str, details: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let record = serde_json::json!({
        "id": id,
        "aliases": aliases,
        "summary": summary,
        "details": details,
        "affected": [{
            "package": {"name": "trac", "ecosystem": "PyPI", "purl": "pkg:pypi/trac"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "0.10"}]}],
        }],
    });
    let name = dir.join(format!("{}.json", id.replace(['/', '\u{1b}'], "_")));
    std::fs::write(name, serde_json::to_vec(&record).unwrap()).unwrap();
}

fn ingest(site: &Site, dir: &std::path::Path) -> Outcome {
    site.cmd(&["feedser", "ingest", "osv", dir.to_str().unwrap()])
}

/// The one canonical of `site`, as `canonical list --json` prints it.
fn only_canonical(site: &Site) -> serde_json::Value {
    let rows = site.canonicals();
    assert_eq!(rows.len(), 1, "{rows:?}");
    serde_json::from_str(&rows[0]).unwrap()
}

/// `a` exports everything; `b` validates (ready) and imports it.
fn sync(a: &Site, b: &Site) {
    let bundle = a.export("full.tar.zst", &[]);
    let bundle = bundle.to_str().unwrap();
    let report = b.cmd(&["feedser", "bundle", "validate", bundle]).ok();
    assert!(
        report.stdout.contains("\n\nReady for import.\n"),
        "{}",
        report.stdout
    );
    b.cmd(&["feedser", "bundle", "import", bundle]).ok();
    assert_same(&b.canonicals(), &a.canonicals(), "canonical sets");
}

/// Issue #28 item 1: 300 KB of details ingested whole (exit 0), and every
/// peer then refused every export of the site. Ingest now cuts free text
/// to the field limit (deterministically, with a mark), and peers import it.
fn a_long_advisory_is_cut_to_what_every_peer_accepts(store: Backend) {
    let a = Site::on(store, "site-a");
    let key = a.with_key();
    let details = "A \"quoted\" line.\n".repeat(300_000 / 18);
    osv_record(
        &a.path("osv"),
        "PYSEC-2099-1",
        &["CVE-2099-0001"],
        "Long",
        &details,
    );
    ingest(&a, &a.path("osv")).ok();
    let row = only_canonical(&a);
    let summary = row["canonical"]["summary"].as_str().unwrap();
    let mark = " [… cut by stella: over the 262144-byte limit of a bundle field]";
    assert!(
        summary.ends_with(mark),
        "{}",
        &summary[summary.len() - 80..]
    );
    assert!(details.starts_with(&summary[..summary.len() - mark.len()]));
    // Exactly the limit once encoded: the longest text a peer accepts.
    let encoded = serde_json::to_string(summary).unwrap();
    assert_eq!(encoded.len() - 2, 262_144);
    let b = Site::on(store, "site-b");
    b.trust(&a, &key);
    sync(&a, &b);
}

/// Issue #28 item 2: a NUL in an upstream summary was stored on SQLite and
/// exported, and every PostgreSQL peer failed on it. Ingest now replaces
/// NUL in free text with U+FFFD; a PostgreSQL peer imports the export.
fn a_nul_from_upstream_reaches_every_store(store: Backend) {
    let a = Site::new("site-a");
    let key = a.with_key();
    let dir = a.path("osv");
    osv_record(&dir, "PYSEC-2099-2", &[], "Header\u{0}injection", "x\u{0}y");
    ingest(&a, &dir).ok();
    let row = only_canonical(&a);
    assert_eq!(row["canonical"]["title"], "Header\u{fffd}injection");
    assert_eq!(row["canonical"]["summary"], "x\u{fffd}y");
    let b = Site::on(store, "site-b");
    b.trust(&a, &key);
    sync(&a, &b);
}

/// A record whose rows a peer would refuse for a rule that cannot be fitted
/// (here a control character in the record id, kept as the edge's
/// `source_advisory_id`) is skipped with the reason (exit 9, escaped).
fn a_record_every_peer_would_refuse_is_not_ingested(store: Backend) {
    let a = Site::on(store, "site-a");
    let dir = a.path("osv");
    osv_record(&dir, "GHSA-\u{1b}[2J", &["CVE-2099-0003"], "t", "d");
    let out = ingest(&a, &dir).code(9);
    let path = dir.join("GHSA-_[2J.json");
    assert_eq!(
        out.stderr,
        format!(
            "stella: refused 1 record: it would make a bundle row that every peer refuses: fix \
             the record at its source\n  GHSA-\\u{{1b}}[2J in `{}` (field `source_advisory_id` \
             holds the control character U+001B (`GHSA-\\u{{1b}}[2J`), which no identifier may \
             hold)\nerror: the one record was refused (grouped above): nothing was ingested\n",
            path.display()
        )
    );
    assert_eq!(a.canonicals(), Vec::<String>::new());
}

crate::on_both_stores!(
    a_long_advisory_is_cut_to_what_every_peer_accepts,
    a_nul_from_upstream_reaches_every_store,
    a_record_every_peer_would_refuse_is_not_ingested,
);

const ATTACK: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\r\nsha256:forged  CVE-2099-9999  pkg:pypi/evil  critical  active  \u{9b}31mForged\u{202e}";
const SHOWN: &str = "\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\r\\nsha256:forged  CVE-2099-9999  pkg:pypi/evil  critical  active  \\u{9b}31mForged\\u{202e}";

/// Issue #28 item 7: a title set the terminal's title, cleared the screen
/// and forged rows in `canonical list` and `canonical get`, at the site
/// that ingested it and at every peer. Every value is now escaped on a
/// terminal; `--json` keeps the exact value.
#[test]
fn a_hostile_title_is_shown_escaped_and_kept_exact_in_json() {
    let a = Site::new("site-a");
    let key = a.with_key();
    osv_record(&a.path("osv"), "PYSEC-2099-4", &[], ATTACK, "d");
    ingest(&a, &a.path("osv")).ok();
    let b = Site::new("site-b");
    b.trust(&a, &key);
    sync(&a, &b);
    let row = only_canonical(&b);
    assert_eq!(row["canonical"]["title"], ATTACK);
    let hash = row["canonical"]["merge_hash"].as_str().unwrap();
    // `--wide`: the whole title, escaped (#27 cuts it in the plain table).
    b.cmd(&["feedser", "canonical", "list", "--wide"]).ok().stdout_is(&format!(
        "{:71}  CVE           PACKAGE        SEVERITY  STATUS  TITLE\n{hash}  PYSEC-2099-4  pkg:pypi/trac  unknown   active  {SHOWN}\n",
        "MERGE HASH"
    ));
    let get = b.cmd(&["feedser", "canonical", "get", hash]).ok().stdout;
    let title = get.lines().find(|l| l.starts_with("Title: ")).unwrap();
    assert_eq!(title, format!("Title: {SHOWN}"));
    assert_eq!(get.lines().count(), 13, "{get}");
    assert!(!get.chars().any(|c| c.is_control() && c != '\n'), "{get}");
}

/// Issue #28 item 7: a reason (sent over HTTP before, when it was not
/// refused there, or given on the command line) forged rows of `sites
/// history`; each cell is escaped now.
#[test]
fn a_reason_is_shown_escaped_in_sites_history() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let old = a.export("old.tar.zst", &[]);
    let newer = fixture("osv/pypi-2024-10-10");
    a.cmd(&["feedser", "ingest", "osv", newer.to_str().unwrap()])
        .ok();
    let new = a.export("new.tar.zst", &[]);
    b.cmd(&["feedser", "bundle", "import", new.to_str().unwrap()])
        .ok();
    // The older bundle again, on purpose: a forced import keeps its reason.
    let reason = "\u{1b}[2Jrestored\r\n2099-01-01T00:00:00.000Z  forged";
    let old = old.to_str().unwrap();
    let forced = [
        "feedser", "bundle", "import", old, "--force", "--reason", reason,
    ];
    b.cmd(&forced).ok();
    let history = b.cmd(&["feedser", "sites", "history", "site-a"]).ok();
    let rows: Vec<&str> = history.stdout.lines().collect();
    assert_eq!(rows.len(), 3, "{}", history.stdout);
    let shown = "  forced  \\u{1b}[2Jrestored\\r\\n2099-01-01T00:00:00.000Z  forged";
    assert!(rows[1].ends_with(shown), "{}", history.stdout);
    let json = b.json(&["feedser", "sites", "history", "site-a", "--json"]);
    assert_eq!(json[0]["force_reason"], reason);
}

/// Issue #28 items 1 and 2 at a site whose store already holds such a row
/// (ingested by an older stella): export sends it as ingest stores it now,
/// and the peer imports it, so upgrading is enough to unblock the peers.
#[test]
fn a_long_or_nul_row_stored_before_the_fix_goes_out_fitted() {
    let a = Site::new("site-a");
    let key = a.with_key();
    osv_record(
        &a.path("osv"),
        "PYSEC-2099-5",
        &[],
        "OLD-TITLE",
        "OLD-DETAILS",
    );
    ingest(&a, &a.path("osv")).ok();
    // What an older stella stored: the whole text, and a NUL.
    let long = "x".repeat(300_000);
    let db = rusqlite::Connection::open(a.home().join("stella.db")).unwrap();
    let sql = "UPDATE export_lines SET line = replace(replace(line, 'OLD-DETAILS', ?1), 'OLD-TITLE', 'T\\u0000')";
    assert_eq!(db.execute(sql, [&long]).unwrap(), 1);
    let sql = "UPDATE canonicals SET summary = ?1, title = ?2";
    assert_eq!(db.execute(sql, [long.as_str(), "T\u{0}"]).unwrap(), 1);
    drop(db);
    let b = Site::new("site-b");
    b.trust(&a, &key);
    let bundle = a.export("full.tar.zst", &[]);
    let bundle = bundle.to_str().unwrap();
    let report = b.cmd(&["feedser", "bundle", "validate", bundle]).ok();
    assert!(
        report.stdout.contains("\n\nReady for import.\n"),
        "{}",
        report.stdout
    );
    b.cmd(&["feedser", "bundle", "import", bundle]).ok();
    let row = only_canonical(&b);
    assert_eq!(row["canonical"]["title"], "T\u{fffd}");
    let summary = row["canonical"]["summary"].as_str().unwrap();
    let mark = " [… cut by stella: over the 262144-byte limit of a bundle field]";
    assert_eq!(summary, format!("{}{mark}", &long[..262_144 - mark.len()]));
}
