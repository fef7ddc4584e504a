//! Federations of more than one link, through the binary: the diamond with
//! a late relay, a two-way link, quiescence over a chain, cursors that never
//! move back, and deletions that must pass the receiving site's policy.

use std::path::PathBuf;

use crate::harness::*;

/// Sites `ids`, each with a key; `links` (from, to) registered at `to`.
fn federation(store: Backend, ids: &[&str], links: &[(usize, usize)]) -> Vec<Site> {
    let sites: Vec<Site> = ids.iter().map(|id| Site::on(store, id)).collect();
    let keys: Vec<PathBuf> = sites.iter().map(Site::with_key).collect();
    for &(from, to) in links {
        sites[to].trust(&sites[from], &keys[from]);
    }
    sites
}

fn ingest(site: &Site, path: &std::path::Path) {
    site.cmd(&[
        "feedser",
        "ingest",
        "osv",
        "--prune",
        path.to_str().unwrap(),
    ])
    .ok();
}

/// What `to` last imported from `from`, for `-c`.
fn cursor(to: &Site, from: &Site) -> Option<String> {
    let status = to.json(&["feedser", "sites", "status", &from.id, "--json"]);
    status["last_cursor"].as_str().map(str::to_owned)
}

/// `from`'s export for `to` (`--for`, since `to`'s cursor), or `None`
/// when there is nothing to send.
fn delta(from: &Site, to: &Site, name: &str) -> Option<PathBuf> {
    let path = from.path(name);
    let _ = std::fs::remove_file(&path);
    let mut args = vec!["feedser", "bundle", "export", "--for", &to.id];
    let since = cursor(to, from);
    if let Some(c) = &since {
        args.extend(["-c", c.as_str()]);
    }
    args.extend(["-o", path.to_str().unwrap(), "--json"]);
    let out = from.cmd(&args).ok().json();
    let bundles = out["bundles"].as_array().unwrap();
    (!bundles.is_empty()).then_some(path)
}

fn import(to: &Site, bundle: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "feedser",
        "bundle",
        "import",
        bundle.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    to.cmd(&args).ok().json()
}

fn counts(out: &serde_json::Value) -> [u64; 6] {
    let c = &out["counts"];
    [
        "canonical_created",
        "canonical_updated",
        "stale",
        "echo",
        "deletions_processed",
        "conflicts",
    ]
    .map(|k| c[k].as_u64().unwrap())
}

/// A → B → C and A → C. C takes A's newer state directly; B's relay of the
/// older state arrives last and changes nothing: every row is stale.
fn a_late_relay_is_stale_and_changes_nothing(store: Backend) {
    let (Some(old), Some(new)) = (
        shared_osv("Bitnami-2025-01-01.zip"),
        shared_osv("Bitnami-2026-06-01.zip"),
    ) else {
        return;
    };
    let s = federation(
        store,
        &["site-a", "site-b", "site-c"],
        &[(0, 1), (1, 2), (0, 2)],
    );
    let (a, b, c) = (&s[0], &s[1], &s[2]);
    ingest(a, &old);
    let whole = ["--max-items", "100000000"];
    let a1 = a.export("a1.tar.zst", &whole);
    import(b, &a1, &[]);
    let b1 = b.export("b1.tar.zst", &whole);
    ingest(a, &new);
    let a2 = a.export("a2.tar.zst", &whole);
    let first = import(c, &a2, &[]);
    assert_eq!(first["counts"]["conflicts"], 0);
    let late = import(c, &b1, &[]);
    let relayed = late["counts"]["canonical_skipped"].as_u64().unwrap();
    assert!(relayed > 4000, "{late}");
    // Every relayed row is older than what C holds (changed or deleted at
    // A since), or the very version C already has from A.
    let [created, updated, stale, echo, deleted, conflicts] = counts(&late);
    assert_eq!([created, updated, deleted, conflicts], [0; 4], "{late}");
    assert_eq!(stale + echo, relayed, "{late}");
    assert!(stale > 4000 && echo > 0, "{late}");
    assert_same(&c.canonicals(), &a.canonicals(), "C against A");
    let text = c
        .cmd(&["feedser", "sites", "history", "site-b"])
        .ok()
        .stdout;
    assert!(text.contains(&format!("{stale}/{echo}")), "{text}");
}

/// OSV records of a second ecosystem, made here: Go advisories, one file
/// each in a directory of their own.
fn go_records(dir: &std::path::Path, n: usize, version: &str) -> PathBuf {
    let path = dir.join(format!("go-{version}"));
    std::fs::create_dir_all(&path).unwrap();
    for i in 0..n {
        let text = format!(
            r#"{{"id":"GO-2024-{i:04}","aliases":["CVE-2024-9{i:03}"],"modified":"2024-0{version}-01T00:00:00Z","summary":"go advisory {i} v{version}","affected":[{{"package":{{"ecosystem":"Go","name":"example.com/m{i}"}},"ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}},{{"fixed":"1.{i}.0"}}]}}]}}]}}"#
        );
        std::fs::write(path.join(format!("GO-2024-{i:04}.json")), text).unwrap();
    }
    path
}

/// A (PyPI) ↔ B (Go), deltas with `--for` both ways for three rounds: no
/// site is ever sent its own data back, no conflict, and both end equal.
fn a_two_way_link_converges_without_echo(store: Backend) {
    let s = federation(store, &["site-a", "site-b"], &[(0, 1), (1, 0)]);
    let (a, b) = (&s[0], &s[1]);
    ingest(a, &fixture("osv/pypi-2024-01-01"));
    ingest(b, &go_records(&b.path(""), 12, "1"));
    let mut moved = Vec::new();
    for round in 0..3 {
        if round == 1 {
            ingest(a, &fixture("osv/pypi-2024-10-10"));
            ingest(b, &go_records(&b.path(""), 14, "2"));
        }
        for (from, to) in [(a, b), (b, a)] {
            let name = format!("{}-{round}.tar.zst", from.id);
            let Some(bundle) = delta(from, to, &name) else {
                moved.push((round, from.id.clone(), None));
                continue;
            };
            let out = import(to, &bundle, &[]);
            assert_eq!(out["counts"]["conflicts"], 0, "{out}");
            assert_eq!(out["counts"]["echo"], 0, "{out}");
            moved.push((round, from.id.clone(), Some(counts(&out))));
        }
    }
    assert_eq!(moved[4], (2, "site-a".into(), None), "{moved:?}");
    assert_eq!(moved[5], (2, "site-b".into(), None), "{moved:?}");
    assert_same(&a.canonicals(), &b.canonicals(), "A against B");
    let status = b.json(&["feedser", "sites", "status", "site-a", "--json"]);
    assert!(status["sent_cursor"].is_string(), "{status}");
    assert!(status["acked_cursor"].is_string(), "{status}");
}

/// A ↔ B ↔ C over the shipped PyPI snapshots, 20 rounds: the rounds after
/// each ingest move it everywhere; every other round exports nothing.
fn a_quiet_federation_exports_nothing(store: Backend) {
    let links = [(0, 1), (1, 0), (1, 2), (2, 1)];
    let s = federation(store, &["site-a", "site-b", "site-c"], &links);
    let order = [(0, 1), (1, 2), (2, 1), (1, 0)];
    let mut busy = Vec::new();
    for round in 0..20 {
        match round {
            0 => ingest(&s[0], &fixture("osv/pypi-2024-01-01")),
            7 => ingest(&s[2], &fixture("osv/pypi-2024-10-10")),
            _ => {}
        }
        for (from, to) in order {
            let name = format!("{from}-{to}-{round}.tar.zst");
            if let Some(bundle) = delta(&s[from], &s[to], &name) {
                let out = import(&s[to], &bundle, &[]);
                assert_eq!(out["counts"]["echo"], 0, "round {round}: {out}");
                busy.push(round);
            }
        }
    }
    busy.dedup();
    assert_eq!(busy, [0, 7], "rounds that moved anything");
    assert_same(&s[0].canonicals(), &s[2].canonicals(), "A against C");
}

/// A forced import of an older bundle is recorded but leaves the cursor
/// where it was, so the next delta still follows on.
fn a_forced_older_bundle_keeps_the_cursor(store: Backend) {
    let (a, b) = federated_pair(store);
    let first = a.export("first.tar.zst", &[]);
    import(&b, &first, &[]);
    let after_first = cursor(&b, &a).unwrap();
    a.cmd(&[
        "feedser",
        "ingest",
        "osv",
        fixture("osv/pypi-2024-10-10").to_str().unwrap(),
    ])
    .ok();
    let second = a.export("second.tar.zst", &["-c", &after_first]);
    import(&b, &second, &[]);
    let after_second = cursor(&b, &a).unwrap();
    assert_ne!(after_first, after_second);
    let resend = a.export("resend.tar.zst", &["-c", "1970-01-01T00:00:00.000Z#0000"]);
    let out = import(&b, &resend, &["--force", "--reason", "resend"]);
    assert_eq!(out["forced"], true);
    assert_eq!(cursor(&b, &a).unwrap(), after_second);
    let next = delta(&a, &b, "next.tar.zst");
    assert!(
        next.is_none(),
        "nothing changed at A since the second bundle"
    );
}

/// B takes only `nvd` from A. A's tombstones of B's own PyPA data, and of
/// data A never sent B, are refused and counted; B keeps every row.
fn a_peer_deletes_only_what_the_policy_lets_it_send(store: Backend) {
    let s = federation(store, &["site-a", "site-b"], &[(0, 1)]);
    let (a, b) = (&s[0], &s[1]);
    b.cmd(&[
        "feedser",
        "sites",
        "policy",
        "site-a",
        "--allowed-sources",
        "nvd",
    ])
    .ok();
    let newer = fixture("osv/pypi-2024-10-10");
    ingest(a, &newer);
    ingest(b, &newer);
    let first = a.export("first.tar.zst", &[]);
    let out = import(b, &first, &[]);
    assert_eq!(out["counts"]["canonical_created"], 0, "{out}");
    // A's source drops everything: its prune deletes every canonical.
    let empty = a.path("empty");
    std::fs::create_dir(&empty).unwrap();
    std::fs::copy(
        newer.join("PYSEC-2023-1.json"),
        empty.join("PYSEC-2023-1.json"),
    )
    .unwrap();
    ingest(a, &empty);
    let before = b.canonicals();
    let since = cursor(b, a).unwrap();
    let deletions = a.export("deletions.tar.zst", &["-c", &since]);
    let out = import(b, &deletions, &[]);
    let refused = out["counts"]["deletions_refused"].as_u64().unwrap();
    let kept_at_a = a.canonicals().len() as u64;
    assert_eq!(refused, before.len() as u64 - kept_at_a, "{out}");
    assert!(refused > 10, "{out}");
    assert_eq!(out["counts"]["deletions_processed"], 0, "{out}");
    assert_same(&b.canonicals(), &before, "B against before");
}

/// `doctor` warns about a two-way link whose strategy cannot converge,
/// and stops once the site's policy says `newest`.
fn doctor_warns_about_a_two_way_link_that_cannot_converge(store: Backend) {
    let s = federation(store, &["site-a", "site-b"], &[(0, 1), (1, 0)]);
    let (a, b) = (&s[0], &s[1]);
    ingest(a, &fixture("osv/pypi-2024-01-01"));
    let bundle = delta(a, b, "ab.tar.zst").unwrap();
    import(b, &bundle, &[]);
    let out = a.cmd(&["doctor"]);
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("links"))
        .unwrap()
        .to_owned();
    assert!(line.starts_with("warn  links    two-way link with a strategy that does not converge: `site-b` (prefer_remote);"), "{line}");
    a.cmd(&[
        "feedser",
        "sites",
        "policy",
        "site-b",
        "--on-conflict",
        "newest",
    ])
    .ok();
    let out = a.cmd(&["doctor"]);
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("links"))
        .unwrap()
        .to_owned();
    assert_eq!(
        line,
        "ok    links    1 two-way link, each settling conflicts with `newest`"
    );
}

/// The committed 1.0 test vector (rows without history, forced past its
/// missing delta) imports, its rows becoming versions of the importing
/// site; the 1.1 vector reads as 1.1.
fn format_1_0_bundles_still_import(store: Backend) {
    let b = Site::on(store, "site-b");
    b.trust(
        &Site::uninitialized("site-a"),
        &fixture("keys/test-federation.pub.pem"),
    );
    let new = fixture("bundles/vector-2.tar.zst");
    let out = b.cmd(&["feedser", "bundle", "validate", new.to_str().unwrap()]);
    assert!(
        out.stdout.contains("Version: feedser-bundle/1.1\n"),
        "{out:?}"
    );
    let old = fixture("bundles/vector-1.tar.zst");
    let out = import(&b, &old, &["--force", "--reason", "first contact"]);
    assert_eq!(counts(&out), [3, 0, 0, 0, 1, 0], "{out}");
    let rows = b.canonicals();
    assert_eq!(rows.len(), 3);
    for row in &rows {
        let row: serde_json::Value = serde_json::from_str(row).unwrap();
        let history = &row["canonical"]["history"];
        assert_eq!(history["origin"], "site-b", "{row}");
        assert_eq!(history["vv"], serde_json::json!({"site-b": 1}), "{row}");
    }
}

/// The metrics textfile counts an import's rows by outcome.
fn metrics_count_rows_by_outcome(store: Backend) {
    let (a, b) = federated_pair(store);
    let bundle = a.export("full.tar.zst", &[]);
    let metrics = b.path("stella.prom");
    let m = metrics.to_str().unwrap();
    let out = import(&b, &bundle, &["--metrics-file", m]);
    let created = out["counts"]["canonical_created"].as_u64().unwrap();
    let text = std::fs::read_to_string(&metrics).unwrap();
    let line =
        format!("stella_import_rows_total{{site_id=\"site-a\",outcome=\"applied\"}} {created}");
    assert!(text.contains(&line), "{text}");
    // The same rows again, forced: every one an echo.
    let out = import(
        &b,
        &bundle,
        &["--metrics-file", m, "--force", "--reason", "again"],
    );
    assert_eq!(out["already_imported"], true, "{out}");
    let again = a.export("again.tar.zst", &["--compression-level", "9"]);
    let out = import(
        &b,
        &again,
        &["--metrics-file", m, "--force", "--reason", "again"],
    );
    assert_eq!(out["counts"]["echo"].as_u64(), Some(created), "{out}");
    let text = std::fs::read_to_string(&metrics).unwrap();
    let line = format!("stella_import_rows_total{{site_id=\"site-a\",outcome=\"echo\"}} {created}");
    assert!(text.contains(&line), "{text}");
}

crate::on_both_stores!(
    format_1_0_bundles_still_import,
    metrics_count_rows_by_outcome,
    a_late_relay_is_stale_and_changes_nothing,
    a_two_way_link_converges_without_echo,
    a_quiet_federation_exports_nothing,
    a_forced_older_bundle_keeps_the_cursor,
    a_peer_deletes_only_what_the_policy_lets_it_send,
    doctor_warns_about_a_two_way_link_that_cannot_converge,
);
