use super::*;

#[test]
fn renders_the_exact_text_format() {
    let mut m = Metrics::default();
    m.success(Operation::Import, "site-a", 1, 120, 1_736_937_000_123);
    m.failure(Operation::Import, None, "not_zstd");
    m.failure(Operation::Import, Some("site-a"), "conflict");
    m.duration(Operation::Import, 0.25);
    m.request("/healthz", 200);
    assert_eq!(
        m.render(),
        "# HELP stella_last_success_timestamp_seconds Unix time of the last successful import or export, by site.
# TYPE stella_last_success_timestamp_seconds gauge
stella_last_success_timestamp_seconds{operation=\"import\",site_id=\"site-a\"} 1736937000.123
# HELP stella_bundles_imported_total Bundles imported, by site.
# TYPE stella_bundles_imported_total counter
stella_bundles_imported_total{site_id=\"site-a\"} 1
# HELP stella_items_imported_total Items imported, by site.
# TYPE stella_items_imported_total counter
stella_items_imported_total{site_id=\"site-a\"} 120
# HELP stella_failures_total Failed or refused imports and exports, by site and reason code.
# TYPE stella_failures_total counter
stella_failures_total{operation=\"import\",reason=\"not_zstd\"} 1
stella_failures_total{operation=\"import\",site_id=\"site-a\",reason=\"conflict\"} 1
# HELP stella_operation_duration_seconds Time spent in imports and exports.
# TYPE stella_operation_duration_seconds summary
stella_operation_duration_seconds_sum{operation=\"import\"} 0.250
stella_operation_duration_seconds_count{operation=\"import\"} 1
# HELP stella_http_requests_total HTTP requests answered, by route and status.
# TYPE stella_http_requests_total counter
stella_http_requests_total{route=\"/healthz\",status=\"200\"} 1
"
    );
}

#[test]
fn label_values_are_escaped() {
    let mut m = Metrics::default();
    m.request("/a\"b\\c\nd", 404);
    assert!(m.render().contains("route=\"/a\\\"b\\\\c\\nd\""));
}

#[test]
fn counters_add_up_across_runs_and_last_success_survives_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stella.prom");
    let mut first = Metrics::default();
    first.success(Operation::Import, "site-a", 1, 3, 1_000_500);
    first.duration(Operation::Import, 0.5);
    assert_eq!(update_textfile(&path, first).unwrap(), None);
    for _ in 0..2 {
        let mut failed = Metrics::default();
        failed.failure(Operation::Import, Some("site-a"), "missing_delta");
        failed.duration(Operation::Import, 0.25);
        update_textfile(&path, failed).unwrap();
    }
    let mut expected = Metrics::default();
    expected.success(Operation::Import, "site-a", 1, 3, 1_000_500);
    expected.failure(Operation::Import, Some("site-a"), "missing_delta");
    expected.failure(Operation::Import, Some("site-a"), "missing_delta");
    expected.duration(Operation::Import, 1.0);
    expected
        .durations
        .get_mut(&Operation::Import)
        .unwrap()
        .count = 3;
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, expected.render());
    assert_eq!(parse(&text).unwrap(), expected);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [".stella.prom.lock", "stella.prom"],
        "no temp file is left"
    );
}

#[test]
fn every_rendered_family_parses_back() {
    let mut m = Metrics::default();
    m.success(Operation::Export, "a\"b", 2, 7, 1_736_937_000_123);
    m.failure(Operation::Export, None, "no_key");
    m.import_rows("site-a", "stale", 4);
    m.duration(Operation::Export, 0.125);
    m.request("/a\"b\\c\nd", 404);
    assert_eq!(parse(&m.render()).unwrap(), m);
}

#[test]
fn a_malformed_textfile_restarts_the_counters() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stella.prom");
    std::fs::write(
        &path,
        "# ok\nstella_failures_total{operation=\"import\"} x\n",
    )
    .unwrap();
    let mut run = Metrics::default();
    run.failure(Operation::Import, None, "not_zstd");
    let malformed = update_textfile(&path, run.clone()).unwrap().unwrap();
    assert_eq!(
        malformed.to_string(),
        "line 2 is not a sample this version writes: `stella_failures_total{operation=\"import\"} x`"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), run.render());
    assert_eq!(
        parse("other_metric{a=\"b\"} 1\n").unwrap(),
        Metrics::default(),
        "families of others are skipped"
    );
}

#[test]
fn seconds_keep_milliseconds() {
    assert_eq!(render::seconds(1_736_937_000_007), "1736937000.007");
    assert_eq!(render::seconds(0), "0.000");
}
