//! `--metrics-file` (node_exporter textfile) and `--log-format json`,
//! through the real binary. Clocks are pinned with `STELLA_TEST_NOW_MS`.

use crate::harness::*;

/// 2100-01-01T00:00:00.000Z: after any cursor the fixtures produce.
pub(crate) const NOW: i64 = 4_102_444_800_000;

pub(crate) fn at(site: &Site, args: &[&str]) -> Outcome {
    site.run(args)
        .env("STELLA_TEST_NOW_MS", NOW.to_string())
        .go()
}

/// The textfile with the (varying) duration sum replaced by `<s>`.
pub(crate) fn textfile(path: &std::path::Path) -> String {
    let text = std::fs::read_to_string(path).expect("metrics file");
    text.lines()
        .map(|l| match l.split_once("_sum{operation=") {
            Some((name, rest)) => {
                let labels = rest.split_once(' ').map_or(rest, |(l, _)| l);
                format!("{name}_sum{{operation={labels} <s>\n")
            }
            None => format!("{l}\n"),
        })
        .collect()
}

const DURATION_IMPORT: &str =
    "# HELP stella_operation_duration_seconds Time spent in imports and exports.
# TYPE stella_operation_duration_seconds summary
stella_operation_duration_seconds_sum{operation=\"import\"} <s>
stella_operation_duration_seconds_count{operation=\"import\"} 1
";

#[test]
fn import_writes_the_textfile_and_a_refusal_adds_to_it() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = a.export("full.tar.zst", &[]);
    let counts = b.json(&[
        "feedser",
        "bundle",
        "validate",
        bundle.to_str().unwrap(),
        "--json",
    ])["counts"]
        .clone();
    let items = counts["total"].as_u64().unwrap();
    // Into an empty store every canonical and tombstone applies.
    let applied = counts["canonicals"].as_u64().unwrap() + counts["deletions"].as_u64().unwrap();
    let prom = b.path("stella.prom");
    let flag = ["--metrics-file", prom.to_str().unwrap()];
    let import = ["feedser", "bundle", "import", bundle.to_str().unwrap()];
    at(&b, &[&import[..], &flag[..]].concat()).ok();
    let success = format!(
        "# HELP stella_last_success_timestamp_seconds Unix time of the last successful import or export, by site.
# TYPE stella_last_success_timestamp_seconds gauge
stella_last_success_timestamp_seconds{{operation=\"import\",site_id=\"site-a\"}} 4102444800.000
# HELP stella_bundles_imported_total Bundles imported, by site.
# TYPE stella_bundles_imported_total counter
stella_bundles_imported_total{{site_id=\"site-a\"}} 1
# HELP stella_items_imported_total Items imported, by site.
# TYPE stella_items_imported_total counter
stella_items_imported_total{{site_id=\"site-a\"}} {items}
# HELP stella_import_rows_total Rows of committed imports, by source site and outcome (applied, stale, echo, conflict, refused).
# TYPE stella_import_rows_total counter
stella_import_rows_total{{site_id=\"site-a\",outcome=\"applied\"}} {applied}
{DURATION_IMPORT}"
    );
    assert_eq!(textfile(&prom), success);

    let junk = b.path("junk.tar.zst");
    std::fs::write(&junk, b"not a bundle at all").unwrap();
    let refused = ["feedser", "bundle", "import", junk.to_str().unwrap()];
    at(&b, &[&refused[..], &flag[..]].concat()).code(4);
    // Counters add up across runs: the refusal adds a failure and keeps
    // what the import counted.
    let (before_rows, rows) =
        success.split_at(success.find("# HELP stella_import_rows_total").unwrap());
    let rows = rows.replace(
        "_count{operation=\"import\"} 1",
        "_count{operation=\"import\"} 2",
    );
    assert_eq!(
        textfile(&prom),
        format!(
            "{before_rows}# HELP stella_failures_total Failed or refused imports and exports, by site and reason code.
# TYPE stella_failures_total counter
stella_failures_total{{operation=\"import\",reason=\"not_zstd\"}} 1
{rows}"
        )
    );
}

#[test]
fn a_refused_bundle_counts_under_its_site_and_reason() {
    let a = site_with_data(Backend::Sqlite);
    let stranger = Site::new("site-c");
    let bundle = a.export("full.tar.zst", &[]);
    let prom = stranger.path("stella.prom");
    at(
        &stranger,
        &[
            "feedser",
            "bundle",
            "import",
            bundle.to_str().unwrap(),
            "--metrics-file",
            prom.to_str().unwrap(),
        ],
    )
    .code(6);
    assert_eq!(
        textfile(&prom),
        format!(
            "# HELP stella_failures_total Failed or refused imports and exports, by site and reason code.
# TYPE stella_failures_total counter
stella_failures_total{{operation=\"import\",site_id=\"site-a\",reason=\"unknown_site\"}} 1
{DURATION_IMPORT}"
        )
    );
}

#[test]
fn export_writes_the_textfile() {
    let a = site_with_data(Backend::Sqlite);
    let prom = a.path("export.prom");
    let out = a.path("full.tar.zst");
    let report = at(
        &a,
        &[
            "feedser",
            "bundle",
            "export",
            "-o",
            out.to_str().unwrap(),
            "--json",
            "--metrics-file",
            prom.to_str().unwrap(),
        ],
    )
    .ok()
    .json();
    let items = report["bundles"][0]["counts"]["total"].as_u64().unwrap();
    assert_eq!(
        textfile(&prom),
        format!(
            "# HELP stella_last_success_timestamp_seconds Unix time of the last successful import or export, by site.
# TYPE stella_last_success_timestamp_seconds gauge
stella_last_success_timestamp_seconds{{operation=\"export\",site_id=\"site-a\"}} 4102444800.000
# HELP stella_bundles_exported_total Bundles exported, by site.
# TYPE stella_bundles_exported_total counter
stella_bundles_exported_total{{site_id=\"site-a\"}} 1
# HELP stella_items_exported_total Items exported, by site.
# TYPE stella_items_exported_total counter
stella_items_exported_total{{site_id=\"site-a\"}} {items}
# HELP stella_operation_duration_seconds Time spent in imports and exports.
# TYPE stella_operation_duration_seconds summary
stella_operation_duration_seconds_sum{{operation=\"export\"}} <s>
stella_operation_duration_seconds_count{{operation=\"export\"}} 1
"
        )
    );
    assert!(items > 0);
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&prom).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o644, "node_exporter must be able to read it");
}

#[test]
fn json_log_lines_carry_site_bundle_and_cursor() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = a.export("full.tar.zst", &[]);
    let out = at(
        &b,
        &[
            "-vv",
            "--log-format",
            "json",
            "feedser",
            "bundle",
            "import",
            bundle.to_str().unwrap(),
            "--json",
        ],
    )
    .ok();
    let report = out.json();
    let lines: Vec<serde_json::Value> = out
        .stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let imported = lines
        .iter()
        .find(|l| l["message"].as_str().unwrap().ends_with(": imported"))
        .expect("an `imported` line");
    assert_eq!(imported["level"], "debug");
    assert_eq!(imported["time"], "2100-01-01T00:00:00.000Z");
    assert_eq!(imported["site_id"], "site-a");
    assert_eq!(imported["bundle_hash"], report["bundle_hash"]);
    assert_eq!(imported["imported_cursor"], report["imported_cursor"]);
    assert_eq!(
        imported["message"],
        format!("bundle `{}`: imported", bundle.display())
    );
}
