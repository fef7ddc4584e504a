//! The document's output layouts (issue #22): `bundle validate`'s block,
//! the `sites list` table, `canonical list|get`, counts that agree with
//! their nouns, and `bundle export --max-bytes`.

use crate::harness::*;

mod max_bytes;
mod validate;

/// 2025-01-15T10:30:00.000Z, the document's example time.
const T0: i64 = 1_736_937_000_000;

fn at(site: &Site, ms: i64, args: &[&str]) -> Outcome {
    site.run(args)
        .env("STELLA_TEST_NOW_MS", ms.to_string())
        .go()
}

/// "List Sites": the ruled table, `LAST SYNC` in UTC to the minute,
/// `never` and `-` for a site never synced; `--json` at full precision.
fn sites_list_draws_the_documents_table(store: Backend) {
    let a = Site::on(store, "site-us-east-1");
    let key = a.with_key();
    let ingest = ["feedser", "ingest", "osv"];
    let data = fixture("osv/pypi-2024-01-01");
    let mut args = ingest.to_vec();
    args.push(data.to_str().unwrap());
    at(&a, T0, &args).ok();
    let b = Site::on(store, "site-b");
    b.trust(&a, &key);
    let add = ["feedser", "sites", "add", "site-asia-pacific-1"];
    b.cmd(&[&add[..], &["--display-name", "APAC", "--enabled", "false"]].concat())
        .ok();
    let bundle = a.export("delta.zst", &[]);
    at(
        &b,
        T0 + 15_123,
        &["feedser", "bundle", "import", bundle.to_str().unwrap()],
    )
    .ok();
    let json = b.json(&["feedser", "sites", "list", "--json"]);
    let cursor = json[1]["last_cursor"].as_str().unwrap().to_owned();
    assert_eq!(json[1]["last_sync_at"], "2025-01-15T10:30:15.123Z");
    assert!(cursor.starts_with("2025-01-15T10:30:00.0"), "{cursor}");
    b.cmd(&["feedser", "sites", "list"])
        .ok()
        .stdout_is(&format!(
            "SITE ID              STATUS    LAST SYNC         CURSOR\n\
         ───────────────────  ────────  ────────────────  {rule}\n\
         site-asia-pacific-1  disabled  never             -\n\
         site-us-east-1       enabled   2025-01-15 10:30  {cursor}\n",
            rule = "─".repeat(cursor.len()),
        ));
}

/// `canonical list`: every column starts where its header does, whatever
/// the widths of the values (CVE and package names differ in length).
fn canonical_list_lines_up_with_its_header(store: Backend) {
    let a = site_with_data(store);
    let out = a.cmd(&["feedser", "canonical", "list", "--wide"]).ok();
    let mut lines = out.stdout.lines();
    let header = lines.next().unwrap();
    let names = [
        "MERGE HASH",
        "CVE",
        "PACKAGE",
        "SEVERITY",
        "STATUS",
        "TITLE",
    ];
    let starts: Vec<usize> = names.iter().map(|n| header.find(n).unwrap()).collect();
    assert!(starts.windows(2).all(|w| w[0] < w[1]), "{header}");
    let rows: Vec<&str> = lines.collect();
    let json = a.canonicals();
    assert_eq!(rows.len(), json.len());
    let widths: std::collections::BTreeSet<usize> = json
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| v["canonical"]["affects_key"].as_str().unwrap().len())
        .collect();
    assert!(widths.len() > 2, "packages of different widths: {widths:?}");
    for (row, record) in rows.iter().zip(&json) {
        let record: serde_json::Value = serde_json::from_str(record).unwrap();
        let c = &record["canonical"];
        let cell = |i: usize| {
            let end = starts.get(i + 1).map_or(row.len(), |e| e - 2);
            assert_eq!(&row[end..(end + 2).min(row.len())].trim(), &"", "{row}");
            row[starts[i]..end].trim_end()
        };
        assert_eq!(cell(0), c["merge_hash"], "{row}");
        assert_eq!(cell(1), c["cve"], "{row}");
        assert_eq!(cell(2), c["affects_key"], "{row}");
        assert_eq!(cell(3), c["severity"], "{row}");
        assert_eq!(cell(4), c["status"], "{row}");
        // The line carries no trailing blanks, a title's included.
        assert_eq!(cell(5), c["title"].as_str().unwrap().trim_end(), "{row}");
    }
}

/// `canonical get` of a malformed hash (the document's own placeholder)
/// is a usage error naming the form; a well-formed unknown one is not found.
fn canonical_get_tells_a_malformed_hash_from_an_unknown_one(store: Backend) {
    let a = site_with_data(store);
    a.cmd(&["feedser", "canonical", "get", "sha256:mergehash..."])
        .code(2)
        .stderr_is(
            "error: invalid value 'sha256:mergehash...' for '<MERGE_HASH>': `sha256:mergehash...` is not a merge hash: expected `sha256:` followed by 64 hex digits, as `canonical list --wide` shows them\n\nFor more information, try '--help'.\n",
        );
    let unknown = format!("sha256:{}", "0".repeat(64));
    a.cmd(&["feedser", "canonical", "get", &unknown])
        .code(12)
        .stderr_is(&format!("error: canonical `{unknown}` not found\n"));
    let known = a.json(&["feedser", "canonical", "list", "--limit", "1", "--json"]);
    let hash = known["canonical"]["merge_hash"].as_str().unwrap();
    let upper = format!("sha256:{}", hash[7..].to_ascii_uppercase());
    let out = a.cmd(&["feedser", "canonical", "get", &upper]).ok();
    assert!(out.stdout.starts_with(&format!("Merge hash: {hash}\n")));
}

/// One of a thing is never "1 canonicals": the export report of a
/// one-canonical delta and `sites add` with one key.
fn counts_agree_with_their_nouns(store: Backend) {
    let a = Site::on(store, "site-a");
    let key = a.with_key();
    a.cmd(&["dev", "gen-data", "--count", "5", "--deletions", "0"])
        .ok();
    let full = a.export("full.zst", &["--json"]);
    let b = Site::on(store, "site-b");
    let add = ["feedser", "sites", "add", "site-a", "--display-name", "A"];
    b.cmd(&[&add[..], &["--key", key.to_str().unwrap()]].concat())
        .ok()
        .stdout_is("registered site `site-a` (enabled) with 1 trusted key\n");
    let cursor = b
        .cmd(&[
            "feedser",
            "bundle",
            "import",
            full.to_str().unwrap(),
            "--json",
        ])
        .ok()
        .json()["imported_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let round = [
        "dev",
        "gen-data",
        "--count",
        "5",
        "--round",
        "1",
        "--changes",
        "1",
    ];
    a.cmd(&round).ok();
    let delta = a.path("delta.zst");
    let args = [
        "feedser",
        "bundle",
        "export",
        "-c",
        &cursor,
        "-o",
        delta.to_str().unwrap(),
    ];
    let report = a.cmd(&args).ok().stdout;
    let counts = report
        .lines()
        .find(|l| l.starts_with("  Counts: "))
        .unwrap();
    assert!(
        counts.starts_with("  Counts: 1 canonical, ") && counts.contains(" 0 deletions ("),
        "{report}"
    );
    assert!(!report.contains("1 canonicals"), "{report}");
}

/// `sites add` of a registered id is a usage error that says how to
/// change the site instead.
fn adding_a_site_twice_says_how_to_change_it(store: Backend) {
    let b = Site::on(store, "site-b");
    let add = ["feedser", "sites", "add", "site-us-east-1"];
    let args = [
        &add[..],
        &["--display-name", "US East Production", "--enabled"],
    ]
    .concat();
    b.cmd(&args).ok();
    b.cmd(&args).code(2).stderr_is(
        "error: site `site-us-east-1` is already registered: change it with `stella feedser sites policy site-us-east-1 ...` (e.g. --enabled false, --max-bundle-size 100MB, --add-key PUB.pem)\n",
    );
}

crate::on_both_stores!(
    sites_list_draws_the_documents_table,
    canonical_list_lines_up_with_its_header,
    canonical_get_tells_a_malformed_hash_from_an_unknown_one,
    counts_agree_with_their_nouns,
    adding_a_site_twice_says_how_to_change_it,
);
