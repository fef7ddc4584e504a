//! An import killed at any stage leaves nothing half-applied; the next run
//! of any command settles it, and importing again ends exactly as one clean
//! import would.

use crate::harness::*;

fn clean_state(b: &Site) -> (usize, usize, usize) {
    let history = b
        .cmd(&["feedser", "sites", "history", "site-a"])
        .ok()
        .stdout;
    let events = b.cmd(&["feedser", "events", "--json"]).ok().stdout;
    (
        b.canonicals().len(),
        history.lines().count() - 1,
        events.lines().count(),
    )
}

fn staging_leftovers(b: &Site) -> Vec<String> {
    match std::fs::read_dir(b.home().join("staging")) {
        Ok(dir) => dir
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn killed_imports_settle_and_rerun_cleanly(store: Backend) {
    for (point, settled) in [
        ("admitted", "abandoned"),
        ("staged", "abandoned"),
        ("applying", "abandoned"),
        ("committed", "committed"),
    ] {
        let (a, b) = federated_pair(store);
        let bundle = a.export("full.tar.zst", &[]);
        let path = bundle.to_str().unwrap();
        let out = b
            .run(&["feedser", "bundle", "import", path])
            .env("STELLA_TEST_ABORT_AT", point)
            .go();
        assert_eq!(out.code, -1, "{point}: expected an abort: {out:?}");
        assert_eq!(
            out.stderr,
            format!("stella: test: aborting at `{point}` (STELLA_TEST_ABORT_AT)\n")
        );
        let applied = point == "committed";
        // The next command settles the journal and removes the staged files.
        let journal = b
            .cmd(&["feedser", "journal", "status", "--json"])
            .ok()
            .json();
        assert_eq!(journal[0]["state"], settled, "{point}: {journal}");
        assert!(
            journal[0]["detail"]
                .as_str()
                .unwrap()
                .starts_with("reconciled: "),
            "{journal}"
        );
        assert_eq!(staging_leftovers(&b), Vec::<String>::new(), "{point}");
        assert_eq!(
            b.canonicals().len(),
            if applied { 20 } else { 0 },
            "{point}"
        );

        let again = b
            .cmd(&["feedser", "bundle", "import", path, "--json"])
            .ok()
            .json();
        assert_eq!(again["already_imported"], applied, "{point}");
        assert_eq!(clean_state(&b), (20, 1, 20), "{point}");
        assert_same(&b.canonicals(), &a.canonicals(), point);
    }
}

fn concurrent_imports_of_one_bundle_apply_once(store: Backend) {
    let (a, b) = federated_pair(store);
    let bundle = a.export("full.tar.zst", &[]);
    let path = bundle.to_str().unwrap().to_owned();
    let runs: Vec<_> = (0..3)
        .map(|_| {
            let (home, path) = (b.home(), path.clone());
            std::thread::spawn(move || {
                std::process::Command::new(BIN)
                    .args([
                        "--home",
                        home.to_str().unwrap(),
                        "feedser",
                        "bundle",
                        "import",
                        &path,
                        "--json",
                    ])
                    .output()
                    .unwrap()
            })
        })
        .collect();
    let mut fresh = 0;
    for run in runs {
        let out = run.join().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        if json["already_imported"] == false {
            fresh += 1;
        }
    }
    assert_eq!(fresh, 1);
    assert_eq!(clean_state(&b), (20, 1, 20));
}

fn journal_status_and_gc(store: Backend) {
    let (a, b) = federated_pair(store);
    let bundle = a.export("full.tar.zst", &[]);
    let path = bundle.to_str().unwrap();
    b.cmd(&["feedser", "bundle", "import", path, "--dry-run"])
        .ok();
    b.cmd(&["feedser", "bundle", "import", path]).ok();
    let out = b.cmd(&["feedser", "journal", "status"]).ok();
    let states: Vec<&str> = out
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().nth(1).unwrap())
        .collect();
    assert_eq!(states, ["committed", "dry_run"], "{}", out.stdout);
    std::fs::create_dir_all(b.home().join("staging/orphan")).unwrap();
    b.cmd(&["feedser", "journal", "gc", "--keep-days", "0"])
        .ok()
        .stdout_is(
            "removed 2 finished imports older than 0 days, 1 orphaned staging file and 0 files left by interrupted exports\n",
        );
    b.cmd(&["feedser", "journal", "status"])
        .ok()
        .stdout_is("STARTED  STATE  SITE  BUNDLE  BUNDLE HASH  DETAIL\n");
}

crate::on_both_stores!(
    killed_imports_settle_and_rerun_cleanly,
    concurrent_imports_of_one_bundle_apply_once,
    journal_status_and_gc,
);

/// The server goes away between staging and commit (every connection of the
/// site's database is cut, as a restart would): the import fails cleanly and
/// the next one applies exactly once.
#[test]
fn postgres_restart_between_staging_and_commit() {
    let Some(pg) = Backend::postgres("crash::postgres_restart_between_staging_and_commit") else {
        return;
    };
    let (a, b) = federated_pair(pg);
    let bundle = a.export("full.tar.zst", &[]);
    let (paused, import) = paused_import(&b, &bundle);
    b.database.as_ref().unwrap().drop_connections();
    std::fs::remove_file(paused).unwrap();
    let out = import.join().unwrap();
    assert_eq!(
        out.status.code(),
        Some(10),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert_eq!(b.canonicals().len(), 0);
    b.cmd(&["feedser", "bundle", "import", bundle.to_str().unwrap()])
        .ok();
    assert_eq!(clean_state(&b), (20, 1, 20));
}
