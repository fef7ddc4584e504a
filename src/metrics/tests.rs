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
fn last_success_survives_a_failed_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stella.prom");
    let mut first = Metrics::default();
    first.success(Operation::Import, "site-a", 1, 3, 1_000_500);
    write_textfile(&path, &first.render()).unwrap();
    let mut second = Metrics::default();
    second.failure(Operation::Import, Some("site-a"), "missing_delta");
    second.carry_last_success(&read_previous(&path));
    write_textfile(&path, &second.render()).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(
        "stella_last_success_timestamp_seconds{operation=\"import\",site_id=\"site-a\"} 1000.500\n"
    ));
    assert!(!text.contains("stella_bundles_imported_total"));
    let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(leftovers, 1, "no temp file is left behind");
}

#[test]
fn seconds_keep_milliseconds() {
    assert_eq!(render::seconds(1_736_937_000_007), "1736937000.007");
    assert_eq!(render::seconds(0), "0.000");
}
