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
    assert_eq!(lines[5], format!("  Size: {}", stella::units::size(size)));
    assert!(lines[6].starts_with("  Signed: sha256:"));
    assert_eq!(
        lines[7],
        format!(
            "Export cursor: {}",
            lines[2].trim_start_matches("  Cursor: ")
        )
    );
    // Made as any file the user makes (0666 less the umask): the bundle is
    // carried to other sites, not private as a temporary file.
    let (bundle, plain) = mode_and_plain(&a.path("full.tar.zst"));
    assert_eq!(bundle, plain);
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

fn malformed_cursors_are_usage_errors(store: Backend) {
    let a = site_with_data(store);
    let out = a
        .cmd(&["feedser", "bundle", "export", "-c", "yesterday"])
        .code(2);
    assert!(
        out.stderr.contains(
            "malformed cursor `yesterday`: expected YYYY-MM-DDTHH:MM:SS[.fff]Z#NNNN (UTC time, milliseconds optional"
        ),
        "{}",
        out.stderr
    );
}

/// The JSON report of `export -c POINT` at time `ms`.
fn export_at(site: &Site, ms: i64, point: &str, name: &str) -> serde_json::Value {
    let out = site
        .run(&[
            "feedser", "bundle", "export", "-c", point, "-o", name, "--json",
        ])
        .env("STELLA_TEST_NOW_MS", ms.to_string())
        .go();
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.json()
}

/// Issue #22 item 2: the document's `-c "2025-01-14T00:00:00Z#0000"`, and
/// any point between feed entries, mean "the changes after this point". The
/// bundle's `since_cursor` is the feed entry the delta follows, so the
/// importing site's gap check stays exact.
fn cursors_as_the_document_writes_them(store: Backend) {
    let a = Site::on(store, "site-a");
    a.with_key();
    let ingest = |ms: i64, dir: &str| {
        let path = fixture(dir);
        let out = a
            .run(&["feedser", "ingest", "osv", path.to_str().unwrap()])
            .env("STELLA_TEST_NOW_MS", ms.to_string())
            .go();
        assert_eq!(out.code, 0, "{}", out.stderr);
    };
    // 2025-01-14T00:00:00Z, then a day later.
    ingest(1_736_812_800_000, "osv/pypi-2024-01-01");
    let first = export_at(
        &a,
        1_736_812_800_000,
        "1970-01-01T00:00:00Z#0",
        "all.tar.zst",
    );
    let first_cursor = first["export_cursor"].as_str().unwrap().to_owned();
    ingest(1_736_899_200_000, "osv/pypi-2024-10-10");
    let now = 1_736_899_300_000;
    // Before the whole feed: everything, as a full export.
    let full = export_at(&a, now, "2025-01-13T00:00:00Z#0000", "full.tar.zst");
    assert_eq!(full["since_cursor"], serde_json::Value::Null);
    // The document's spelling, at the first ingest's very time and #0000:
    // before its entries (same millisecond, lower sequence), so also full.
    let doc = export_at(&a, now, "2025-01-14T00:00:00Z#0000", "doc.tar.zst");
    assert_eq!(doc["since_cursor"], serde_json::Value::Null);
    assert_eq!(doc["bundles"][0]["counts"], full["bundles"][0]["counts"]);
    // Between the two ingests, without milliseconds: the second one's changes,
    // as a delta after the first ingest's last entry.
    let noon = export_at(&a, now, "2025-01-14T12:00:00Z#0000", "noon.tar.zst");
    assert_eq!(noon["since_cursor"].as_str(), Some(first_cursor.as_str()));
    let exact = export_at(&a, now, &first_cursor, "exact.tar.zst");
    assert_eq!(noon["bundles"][0]["counts"], exact["bundles"][0]["counts"]);
    assert_eq!(
        std::fs::read(a.path("noon.tar.zst")).unwrap(),
        std::fs::read(a.path("exact.tar.zst")).unwrap()
    );
    // A point after the whole feed: nothing to send.
    a.run(&[
        "feedser",
        "bundle",
        "export",
        "-c",
        "2030-01-01T00:00:00Z#0000",
        "-o",
        "none.tar.zst",
    ])
    .env("STELLA_TEST_NOW_MS", now.to_string())
    .go();
    assert!(!a.path("none.tar.zst").exists());
    // A site that imported the first bundle takes the noon delta: no gap.
    let b = Site::on(store, "site-b");
    b.trust(&a, &a.path("site-a.pub.pem"));
    b.cmd(&[
        "feedser",
        "bundle",
        "import",
        a.path("all.tar.zst").to_str().unwrap(),
    ])
    .ok();
    b.cmd(&[
        "feedser",
        "bundle",
        "import",
        a.path("noon.tar.zst").to_str().unwrap(),
    ])
    .ok();
    assert_same(&b.canonicals(), &a.canonicals(), "B against A");
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
    malformed_cursors_are_usage_errors,
    cursors_as_the_document_writes_them,
    signing_needs_a_key_or_unsigned,
    empty_store_exports_nothing,
);
