//! `quarantine retry`, and `--older-than DAYS` / `--dry-run` on
//! `quarantine purge` and `journal gc` (#27 "Keys and sites over time").

use crate::harness::*;

/// 2100-01-01T00:00:00.000Z: every entry made by the tests is older.
const LATER: i64 = 4_102_444_800_000;

fn later(site: &Site, args: &[&str]) -> Outcome {
    site.run(args)
        .env("STELLA_TEST_NOW_MS", LATER.to_string())
        .go()
}

fn ids(site: &Site) -> Vec<String> {
    let list = site.json(&["feedser", "quarantine", "list", "--json"]);
    let ids = list.as_array().unwrap().iter();
    ids.map(|e| e["id"].as_str().unwrap().to_owned()).collect()
}

fn retry_imports_a_quarantined_bundle_once_its_key_is_trusted(store: Backend) {
    let (a, b) = federated_pair(store);
    a.cmd(&["authority", "keys", "generate", "--name", "other"])
        .ok();
    let bundle = a.export("other.tar.zst", &["--key", "other"]);
    let import = ["feedser", "bundle", "import", bundle.to_str().unwrap()];
    b.cmd(&import).code(5);
    let quarantined = ids(&b);
    assert_eq!(quarantined.len(), 1);
    let id = quarantined[0].as_str();

    // Still untrusted: refused again, the entry stays as it was, alone.
    let refused = b.cmd(&["feedser", "quarantine", "retry", id]).code(5);
    assert_eq!(refused.stdout, "");
    assert!(
        refused.stderr.starts_with(
            "error: Signature verification failed for site `site-a`: no trusted key `sha256:"
        ),
        "{}",
        refused.stderr
    );
    assert_eq!(ids(&b), quarantined);
    b.cmd(&["feedser", "quarantine", "retry", "nope"])
        .code(12)
        .stderr_is("error: quarantined bundle `nope` not found: see `stella feedser quarantine list` for the ids\n");

    b.add_key("site-a", &a.public_key("other", "other.pub.pem"));
    let out = b.cmd(&["feedser", "quarantine", "retry", id]).ok();
    assert!(
        out.stdout
            .ends_with(&format!("removed `{id}` from the quarantine\n")),
        "{}",
        out.stdout
    );
    assert_eq!(ids(&b), Vec::<String>::new());
    assert_same(&b.contents(), &a.contents(), "B against A");
    let history = b.json(&["feedser", "sites", "history", "site-a", "--json"]);
    assert_eq!(history.as_array().unwrap().len(), 1);
    b.cmd(&["feedser", "quarantine", "retry", id]).code(12);
    b.cmd(&["audit", "verify"])
        .ok()
        .stdout_is("audit log ok: 3 records\n");
}

on_both_stores!(retry_imports_a_quarantined_bundle_once_its_key_is_trusted);

#[test]
fn purge_and_gc_take_older_than_and_dry_run() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = a.export("full.tar.zst", &[]);
    b.cmd(&["feedser", "bundle", "import", bundle.to_str().unwrap()])
        .ok();
    let junk = b.path("junk.tar.zst");
    std::fs::write(&junk, b"not a bundle").unwrap();
    for _ in 0..2 {
        b.cmd(&["feedser", "bundle", "import", junk.to_str().unwrap()])
            .code(4);
    }
    let quarantined = ids(&b);
    assert_eq!(quarantined.len(), 2);

    let purge = ["feedser", "quarantine", "purge"];
    b.cmd(&[&purge[..], &["--older-than", "1", "--dry-run"]].concat())
        .ok()
        .stdout_is("would purge 0 quarantined bundles (dry run: nothing removed)\n");
    let out = later(
        &b,
        &[&purge[..], &["--older-than", "1", "--dry-run"]].concat(),
    )
    .ok();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "would purge 2 quarantined bundles (dry run: nothing removed)"
    );
    assert!(lines[1].starts_with("ID "), "{}", out.stdout);
    for (line, id) in lines[2..].iter().zip(&quarantined) {
        assert!(
            line.starts_with(id.as_str()) && line.ends_with("  not_zstd"),
            "{line}"
        );
    }
    assert_eq!(lines.len(), 4);
    b.cmd(&[&purge[..], &["--all", "--dry-run"]].concat()).ok();
    assert_eq!(ids(&b), quarantined, "a dry run removes nothing");
    later(&b, &[&purge[..], &["--older-than", "1"]].concat())
        .ok()
        .stdout_is("purged 2 quarantined bundles\n");
    assert_eq!(ids(&b), Vec::<String>::new());

    let gc = ["feedser", "journal", "gc"];
    let status = || b.json(&["feedser", "journal", "status", "--json"]);
    let imports = status().as_array().unwrap().len();
    assert!(imports >= 1, "{}", status());
    b.cmd(&[&gc[..], &["--older-than", "1", "--dry-run"]].concat())
        .ok()
        .stdout_is("would remove 0 finished imports older than 1 day, 0 orphaned staging files and 0 files left by interrupted exports (dry run: nothing removed)\n");
    let out = later(&b, &[&gc[..], &["--older-than", "1", "--dry-run"]].concat()).ok();
    let first = format!(
        "would remove {} older than 1 day, 0 orphaned staging files and 0 files left by interrupted exports (dry run: nothing removed)",
        finished(imports)
    );
    assert_eq!(out.stdout.lines().next(), Some(first.as_str()));
    assert_eq!(
        out.stdout
            .lines()
            .filter(|l| l.starts_with("  import "))
            .count(),
        imports
    );
    let json = later(
        &b,
        &[&gc[..], &["--older-than", "1", "--dry-run", "--json"]].concat(),
    )
    .ok()
    .json();
    assert_eq!(json["dry_run"], true);
    assert_eq!(json["import_ids"].as_array().unwrap().len(), imports);
    assert_eq!(
        status().as_array().unwrap().len(),
        imports,
        "a dry run removes nothing"
    );
    later(&b, &[&gc[..], &["--keep-days", "1"]].concat())
        .ok()
        .stdout_is(&format!(
            "removed {} older than 1 day, 0 orphaned staging files and 0 files left by interrupted exports\n",
            finished(imports)
        ));
    assert_eq!(status(), serde_json::json!([]));
}

/// `1 finished import`, `2 finished imports`.
fn finished(n: usize) -> String {
    match n {
        1 => "1 finished import".to_owned(),
        n => format!("{n} finished imports"),
    }
}
