//! One pair of cron lines, written when the site was small, run as it
//! grows past `DefaultMaxItems`, shrinks back, has old records rewritten
//! and rotates its key: the receiver ends equal to the sender each time.

use super::*;

/// The sender's cron line: the full export under one fixed name.
fn export_line(a: &Site, stick: &Path) -> Outcome {
    let name = arg(stick, "site-a.tar.zst");
    a.cmd(&["feedser", "bundle", "export", "-o", &name, "--force"])
}

/// The receiver's cron line: import that one name.
fn import_line(b: &Site, stick: &Path) -> Outcome {
    let name = arg(stick, "site-a.tar.zst");
    b.cmd(&["feedser", "bundle", "import", &name])
}

/// One run of both cron lines, each succeeding.
fn both_lines(a: &Site, b: &Site, stick: &Path) -> Outcome {
    export_line(a, stick).ok();
    import_line(b, stick).ok()
}

/// `bundle export -o NAME --max-items N --force`: a cron line of its own.
fn export_cut(a: &Site, name: &str, max_items: &str) -> Outcome {
    a.cmd(&[
        "feedser",
        "bundle",
        "export",
        "-o",
        name,
        "--max-items",
        max_items,
        "--force",
    ])
}

fn a_fixed_name_keeps_working_as_the_site_grows_past_default_max_items(store: Backend) {
    let (a, b) = growing_pair(store);
    let stick = tempfile::tempdir().unwrap();
    grow(&a, 5, 1);
    export_line(&a, stick.path()).ok();
    assert_eq!(names(stick.path()), ["site-a.tar.zst"]);
    import_line(&b, stick.path()).ok();
    assert_same(&b.canonicals(), &a.canonicals(), "small site");

    // Past DefaultMaxItems: the same line writes a chain, and the stale
    // single file of the small site is gone with it.
    grow(&a, 40, 2);
    let out = export_line(&a, stick.path()).ok();
    let parts = names(stick.path());
    assert!(parts.len() > 2, "{parts:?}\n{}", out.stdout);
    for (i, name) in parts.iter().enumerate() {
        assert_eq!(*name, format!("site-a.{:04}.tar.zst", i + 1));
    }
    let out = import_line(&b, stick.path()).ok();
    let last = out.stdout.lines().last().unwrap().to_owned();
    assert!(
        last.starts_with(&format!("Imported {} bundles (", parts.len())),
        "{}",
        out.stdout
    );
    assert_same(&b.canonicals(), &a.canonicals(), "grown site");

    // The same line again: every part is a replay, a no-op success.
    let again = import_line(&b, stick.path()).ok();
    let last = again.stdout.lines().last().unwrap();
    let replayed = format!("({} already imported)", parts.len());
    assert!(last.contains(&replayed), "{}", again.stdout);

    // Old records rewritten: the chain's early parts change and end
    // before what B holds; they are skipped as covered, the rest imported.
    a.cmd(&[
        "dev",
        "gen-data",
        "--count",
        "40",
        "--seed",
        "2",
        "--round",
        "1",
        "--changes",
        "5",
    ])
    .ok();
    let out = both_lines(&a, &b, stick.path());
    assert_same(&b.canonicals(), &a.canonicals(), "rewritten records");
    assert!(out.stdout.contains("(covered)"), "{}", out.stdout);
}

fn a_shorter_export_leaves_no_stale_parts(store: Backend) {
    let (a, _b) = growing_pair(store);
    let stick = tempfile::tempdir().unwrap();
    grow(&a, 60, 3);
    export_line(&a, stick.path()).ok();
    let long = names(stick.path()).len();
    assert!(long >= 4, "{long}");
    // Without --force, the earlier run's files are refused, not mixed in.
    let name = arg(stick.path(), "site-a.tar.zst");
    let refused = a.cmd(&[
        "feedser",
        "bundle",
        "export",
        "-o",
        &name,
        "--max-items",
        "1000",
    ]);
    refused.code(2).stderr_is(&format!(
        "error: `{}` is left from an earlier export to the same name: pass --force to replace that export's files, or choose another --output\n",
        arg(stick.path(), "site-a.0001.tar.zst")
    ));
    // A shorter chain removes the higher-numbered parts of the longer one.
    export_cut(&a, &name, "100").ok();
    let short = names(stick.path());
    assert!(short.len() < long, "{short:?}");
    for (i, name) in short.iter().enumerate() {
        assert_eq!(*name, format!("site-a.{:04}.tar.zst", i + 1));
    }
    // One bundle: the parts go, the fixed name holds it.
    export_cut(&a, &name, "100000").ok();
    assert_eq!(names(stick.path()), ["site-a.tar.zst"]);
}

/// README "Key rotation" in the middle of the cron sequence: the line
/// keeps working before, during and after the switch.
fn a_key_rotation_between_cron_runs_keeps_the_line_working(store: Backend) {
    let (a, b) = growing_pair(store);
    let stick = tempfile::tempdir().unwrap();
    grow(&a, 40, 4);
    both_lines(&a, &b, stick.path());
    a.cmd(&["authority", "keys", "generate", "--name", "fed-2027"])
        .ok();
    b.add_key("site-a", &a.public_key("fed-2027", "fed-2027.pub.pem"));
    grow(&a, 20, 5);
    both_lines(&a, &b, stick.path());
    a.cmd(&["authority", "keys", "default", "fed-2027"]).ok();
    grow(&a, 20, 6);
    both_lines(&a, &b, stick.path());
    a.cmd(&["authority", "keys", "retire", "fed"]).ok();
    grow(&a, 20, 7);
    both_lines(&a, &b, stick.path());
    assert_same(&b.canonicals(), &a.canonicals(), "after the rotation");
}

crate::on_both_stores!(
    a_fixed_name_keeps_working_as_the_site_grows_past_default_max_items,
    a_shorter_export_leaves_no_stale_parts,
    a_key_rotation_between_cron_runs_keeps_the_line_working,
);

/// The size, at the real default (`DefaultMaxItems` 10000, the
/// 100 MB cap): the cron lines written for a small site carry a site of
/// 100,000 canonicals, cut into a chain, and B ends equal to A. SQLite
/// only: the chain's handling does not depend on the store (the smaller
/// tests above run on both), and this one is the slowest of the suite.
#[test]
fn the_cron_lines_carry_a_site_of_100k_canonicals() {
    let a = Site::on(Backend::Sqlite, "site-a");
    let key = a.with_key();
    let b = Site::on(Backend::Sqlite, "site-b");
    b.trust(&a, &key);
    let stick = tempfile::tempdir().unwrap();
    grow(&a, 5, 1);
    both_lines(&a, &b, stick.path());
    assert_eq!(names(stick.path()), ["site-a.tar.zst"]);
    grow(&a, 100_000, 2);
    export_line(&a, stick.path()).ok();
    let parts = names(stick.path());
    // 100,005 canonicals in parts of 10,000 items (canonicals and edges).
    assert!(parts.len() > 10, "{parts:?}");
    assert_eq!(parts[0], "site-a.0001.tar.zst");
    let out = import_line(&b, stick.path()).ok();
    let last = out.stdout.lines().last().unwrap().to_owned();
    assert!(
        last.starts_with(&format!("Imported {} bundles (", parts.len())),
        "{}",
        out.stdout
    );
    let (held, sent) = (b.canonicals(), a.canonicals());
    assert_eq!(held.len(), 100_005);
    assert_same(&held, &sent, "a site of 100k canonicals");
}
