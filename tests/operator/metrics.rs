//! `--metrics-file` counters add up across runs (#27 item 1).

use crate::harness::*;
use crate::monitoring::{at, textfile};

const FAILURES: &str =
    "# HELP stella_failures_total Failed or refused imports and exports, by site and reason code.
# TYPE stella_failures_total counter
stella_failures_total{operation=\"import\",site_id=\"site-a\",reason=\"unknown_site\"} 3
";

fn durations(count: u32) -> String {
    format!(
        "# HELP stella_operation_duration_seconds Time spent in imports and exports.
# TYPE stella_operation_duration_seconds summary
stella_operation_duration_seconds_sum{{operation=\"import\"}} <s>
stella_operation_duration_seconds_count{{operation=\"import\"}} {count}
"
    )
}

#[test]
fn three_failed_runs_count_three_and_a_success_keeps_them() {
    let a = site_with_data(Backend::Sqlite);
    let c = Site::new("site-c");
    let bundle = a.export("full.tar.zst", &[]);
    let prom = c.path("stella.prom");
    let import = [
        "feedser",
        "bundle",
        "import",
        bundle.to_str().unwrap(),
        "--metrics-file",
        prom.to_str().unwrap(),
    ];
    for _ in 0..3 {
        at(&c, &import).code(6);
    }
    assert_eq!(textfile(&prom), format!("{FAILURES}{}", durations(3)));

    c.trust(&a, &a.path("site-a.pub.pem"));
    at(&c, &import).ok();
    let text = textfile(&prom);
    assert!(text.contains(
        "stella_last_success_timestamp_seconds{operation=\"import\",site_id=\"site-a\"} 4102444800.000\n"
    ), "{text}");
    assert!(
        text.contains("stella_bundles_imported_total{site_id=\"site-a\"} 1\n"),
        "{text}"
    );
    assert!(text.contains(FAILURES), "the failure counter stays: {text}");
    assert!(text.ends_with(&durations(4)), "{text}");

    // A replay is a success too: the gauge is overwritten, counters stay.
    at(&c, &import).ok();
    let again = textfile(&prom);
    assert!(again.contains("stella_bundles_imported_total{site_id=\"site-a\"} 1\n"));
    assert!(again.contains(FAILURES));
    assert!(again.ends_with(&durations(5)));
}

#[test]
fn a_malformed_textfile_warns_once_and_counts_from_zero() {
    let a = site_with_data(Backend::Sqlite);
    let c = Site::new("site-c");
    let bundle = a.export("full.tar.zst", &[]);
    let prom = c.path("stella.prom");
    std::fs::write(
        &prom,
        "stella_failures_total{operation=\"import\" garbage\n",
    )
    .unwrap();
    let import = [
        "feedser",
        "bundle",
        "import",
        bundle.to_str().unwrap(),
        "--metrics-file",
        prom.to_str().unwrap(),
    ];
    let out = at(&c, &import).code(6);
    assert_eq!(
        out.stderr,
        format!(
            "stella: warn: the metrics file `{}` was not written by stella (line 1 is not a sample this version writes: `stella_failures_total{{operation=\"import\" garbage`): its counters start again from zero\nerror: unknown site `site-a`: register it with `stella feedser sites add site-a --display-name NAME --key PUB.pem`\n",
            prom.display()
        )
    );
    let text = textfile(&prom);
    assert!(text.contains(
        "stella_failures_total{operation=\"import\",site_id=\"site-a\",reason=\"unknown_site\"} 1\n"
    ), "{text}");
    at(&c, &import)
        .code(6)
        .stderr_is(&out.stderr[out.stderr.find("error:").unwrap()..]);
}
