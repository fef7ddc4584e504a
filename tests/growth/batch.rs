//! `bundle import FILE...` and `bundle import DIR`: every part validated
//! before any is applied, then imported in cursor order.

use super::*;

/// A chain of at least four parts of A's data in a fresh `stick`.
fn chain(a: &Site) -> (tempfile::TempDir, Vec<String>) {
    grow(a, 50, 8);
    let stick = tempfile::tempdir().unwrap();
    let name = arg(stick.path(), "x.tar.zst");
    a.cmd(&["feedser", "bundle", "export", "-o", &name]).ok();
    let parts: Vec<String> = names(stick.path())
        .iter()
        .map(|n| arg(stick.path(), n))
        .collect();
    assert!(parts.len() >= 4, "{parts:?}");
    (stick, parts)
}

/// What B holds from A: its canonicals and its cursor for A.
fn held(b: &Site) -> (Vec<String>, serde_json::Value) {
    let status = b.json(&["feedser", "sites", "status", "site-a", "--json"]);
    (b.canonicals(), status["last_cursor"].clone())
}

fn files_given_out_of_order_are_imported_in_cursor_order(store: Backend) {
    let (a, b) = growing_pair(store);
    let (_stick, parts) = chain(&a);
    let mut args = vec!["feedser", "bundle", "import"];
    args.extend(parts.iter().rev().map(String::as_str));
    let out = b.run(&args).go().ok();
    let order: Vec<&str> = out
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("Bundle ")?.split(' ').next())
        .collect();
    assert_eq!(order, parts, "{}", out.stdout);
    let cursor = held(&b).1.as_str().unwrap().to_owned();
    assert_eq!(
        out.stdout.lines().last().unwrap(),
        format!(
            "Imported {} bundles (0 already imported) up to cursor {cursor}",
            parts.len()
        )
    );
    assert_same(&b.canonicals(), &a.canonicals(), "after the batch");
}

fn an_inbox_with_one_tampered_part_applies_nothing(store: Backend) {
    let (a, b) = growing_pair(store);
    let (stick, parts) = chain(&a);
    let tampered = &parts[2];
    let mut bytes = std::fs::read(tampered).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(tampered, bytes).unwrap();
    // Alone, part 3 is also a gap (parts 1 and 2 are not in yet): in the
    // batch only its own fault remains.
    let alone = b.cmd(&["feedser", "bundle", "validate", "--json", tampered]);
    let report: serde_json::Value = serde_json::from_str(&alone.stdout).unwrap();
    let problems = report["problems"].as_array().unwrap();
    let reason = problems
        .iter()
        .map(|p| p.as_str().unwrap())
        .find(|p| !p.starts_with("missing delta"))
        .unwrap_or_else(|| panic!("{report}"))
        .to_owned();
    let before = held(&b);
    let dir = path_arg(stick.path());
    let out = b.cmd(&["feedser", "bundle", "import", &dir]);
    let code = if report["signature"]["status"] == "invalid" {
        5
    } else {
        4
    };
    out.code(code).stdout_is("").stderr_is(&format!(
        "error: `{tampered}` would not import: {reason}; nothing was imported\n"
    ));
    assert_eq!(held(&b), before, "nothing applied");
}

fn a_gap_in_the_files_is_refused_before_anything_is_applied(store: Backend) {
    let (a, b) = growing_pair(store);
    let (_stick, parts) = chain(&a);
    let before = held(&b);
    let out = b.cmd(&[
        "feedser", "bundle", "import", &parts[0], &parts[2], &parts[3],
    ]);
    let out = out.code(7);
    let expected = format!("error: `{}` would not import: missing delta: ", parts[2]);
    assert!(out.stderr.starts_with(&expected), "{}", out.stderr);
    assert!(
        out.stderr.ends_with("; nothing was imported\n"),
        "{}",
        out.stderr
    );
    assert_eq!(held(&b), before, "nothing applied");
}

fn an_empty_inbox_and_a_json_summary(store: Backend) {
    let (a, b) = growing_pair(store);
    let empty = tempfile::tempdir().unwrap();
    b.cmd(&[
        "feedser",
        "bundle",
        "import",
        empty.path().to_str().unwrap(),
    ])
    .ok()
    .stdout_is("no bundles to import\n");
    let (stick, parts) = chain(&a);
    let name = arg(stick.path(), "x.tar.zst");
    let doc = b.json(&["feedser", "bundle", "import", &name, "--json"]);
    assert_eq!(doc["success"], true);
    assert_eq!(doc["imported"], parts.len());
    assert_eq!(doc["already_imported"], 0);
    let bundles = doc["bundles"].as_array().unwrap();
    let files: Vec<&str> = bundles
        .iter()
        .map(|b| b["bundle"].as_str().unwrap())
        .collect();
    assert_eq!(files, parts);
    assert_eq!(doc["imported_cursor"], held(&b).1);
    assert_eq!(doc["error"], serde_json::Value::Null);
}

crate::on_both_stores!(
    files_given_out_of_order_are_imported_in_cursor_order,
    an_inbox_with_one_tampered_part_applies_nothing,
    a_gap_in_the_files_is_refused_before_anything_is_applied,
    an_empty_inbox_and_a_json_summary,
);
