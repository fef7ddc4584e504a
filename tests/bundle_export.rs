use crate::harness::*;

fn full_export_reports_files_counts_and_cursor(store: Backend) {
    let a = site_with_data(store);
    let out = a
        .cmd(&["feedser", "bundle", "export", "-o", "full.tar.zst"])
        .ok();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], "Wrote full.tar.zst");
    assert_eq!(lines[1], "  Since: full export");
    assert!(lines[2].starts_with("  Cursor: "), "{}", out.stdout);
    assert!(lines[3].starts_with("  Counts: "), "{}", out.stdout);
    assert!(
        lines[4].starts_with("  Bundle hash: sha256:"),
        "{}",
        out.stdout
    );
    let size = std::fs::metadata(a.path("full.tar.zst")).unwrap().len();
    assert_eq!(lines[5], format!("  Size: {size} bytes"));
    assert!(lines[6].starts_with("  Signed: sha256:"));
    assert_eq!(
        lines[7],
        format!(
            "Export cursor: {}",
            lines[2].trim_start_matches("  Cursor: ")
        )
    );
    // No temporary files are left beside the bundle or in the home.
    let names: Vec<String> = std::fs::read_dir(a.path("."))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".stella"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

fn same_data_and_key_give_identical_bytes(store: Backend) {
    let a = site_with_data(store);
    let one = a.export("one.tar.zst", &["--threads", "1"]);
    let two = a.export("two.tar.zst", &["--threads", "2"]);
    assert_eq!(std::fs::read(one).unwrap(), std::fs::read(two).unwrap());
}

fn json_report_and_chain_over_max_items(store: Backend) {
    let a = site_with_data(store);
    let full = a
        .cmd(&[
            "feedser",
            "bundle",
            "export",
            "-o",
            "full.tar.zst",
            "--json",
        ])
        .ok()
        .json();
    let total = full["bundles"][0]["counts"]["total"].as_u64().unwrap();
    assert!(total > 20, "{full}");
    let chain = a
        .cmd(&[
            "feedser",
            "bundle",
            "export",
            "-o",
            "part.tar.zst",
            "--max-items",
            "10",
            "--json",
        ])
        .ok()
        .json();
    let bundles = chain["bundles"].as_array().unwrap();
    assert!(bundles.len() > 2, "{chain}");
    assert_eq!(bundles[0]["path"], "part.0001.tar.zst");
    assert_eq!(bundles[0]["since_cursor"], serde_json::Value::Null);
    for pair in bundles.windows(2) {
        assert_eq!(pair[1]["since_cursor"], pair[0]["export_cursor"]);
    }
    let sum: u64 = bundles
        .iter()
        .map(|b| b["counts"]["total"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, total);
    assert_eq!(chain["export_cursor"], full["export_cursor"]);
    // A chain cannot go to stdout.
    let out = a
        .cmd(&[
            "feedser",
            "bundle",
            "export",
            "-o",
            "-",
            "--max-items",
            "10",
        ])
        .code(2);
    assert!(
        out.stderr.contains("cannot all go to stdout"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
}

fn malformed_and_foreign_cursors_are_usage_errors(store: Backend) {
    let a = site_with_data(store);
    let out = a
        .cmd(&["feedser", "bundle", "export", "-c", "yesterday"])
        .code(2);
    assert!(
        out.stderr
            .contains("malformed cursor `yesterday`: expected YYYY-MM-DDTHH:MM:SS.mmmZ#NNNN"),
        "{}",
        out.stderr
    );
    let out = a
        .cmd(&[
            "feedser",
            "bundle",
            "export",
            "-c",
            "2020-01-01T00:00:00.000Z#0003",
        ])
        .code(2);
    assert!(out.stderr.starts_with("error: cursor `2020-01-01T00:00:00.000Z#0003` is not a position of this site's change feed"), "{}", out.stderr);
}

fn signing_needs_a_key_or_unsigned(store: Backend) {
    let a = Site::on(store, "site-a");
    a.cmd(&[
        "feedser",
        "ingest",
        "osv",
        fixture("osv/pypi-2024-01-01").to_str().unwrap(),
    ])
    .ok();
    a.cmd(&["feedser", "bundle", "export", "-o", "x.tar.zst"]).code(11).stderr_is(
        "error: no signing key: create one with `stella authority keys generate --name NAME --algorithm ES256 --purpose federation`, or pass --unsigned\n",
    );
    assert!(!a.path("x.tar.zst").exists());
    let out = a
        .cmd(&[
            "feedser",
            "bundle",
            "export",
            "-o",
            "x.tar.zst",
            "--unsigned",
        ])
        .ok();
    assert!(
        out.stdout.contains("  Signed: no (unsigned)\n"),
        "{}",
        out.stdout
    );
}

fn empty_store_exports_nothing(store: Backend) {
    let a = Site::on(store, "site-a");
    a.with_key();
    a.cmd(&["feedser", "bundle", "export", "-o", "x.tar.zst"])
        .ok()
        .stdout_is("no changes since -: no bundle written\n");
    assert!(!a.path("x.tar.zst").exists());
}

crate::on_both_stores!(
    full_export_reports_files_counts_and_cursor,
    same_data_and_key_give_identical_bytes,
    json_report_and_chain_over_max_items,
    malformed_and_foreign_cursors_are_usage_errors,
    signing_needs_a_key_or_unsigned,
    empty_store_exports_nothing,
);
