//! Tables and units as people read them (#27): digests shortened to
//! `sha256:1a2b3c4d…` in tables (whole in `--json` and with `--wide`),
//! sizes and durations in human units, plurals that agree.

use crate::harness::*;

/// `sha256:` and the first 8 hex digits of `hash`, then `…`.
fn short(hash: &str) -> String {
    format!("{}…", &hash[..15])
}

fn tables_shorten_digests_unless_wide(store: Backend) {
    let (a, b) = federated_pair(store);
    let bundle = a.export("full.tar.zst", &[]);
    let report = b
        .cmd(&[
            "feedser",
            "bundle",
            "import",
            bundle.to_str().unwrap(),
            "--json",
        ])
        .ok()
        .json();
    let bundle_hash = report["bundle_hash"].as_str().unwrap();
    let history = b
        .cmd(&["feedser", "sites", "history", "site-a"])
        .ok()
        .stdout;
    let row = history.lines().nth(1).unwrap();
    assert!(
        row.contains(&format!("  {}  ", short(bundle_hash))),
        "{history}"
    );
    assert!(!row.contains(bundle_hash), "{history}");
    let wide = b
        .cmd(&["feedser", "sites", "history", "site-a", "--wide"])
        .ok();
    assert!(wide.stdout.contains(bundle_hash), "{}", wide.stdout);

    let first: serde_json::Value = serde_json::from_str(&b.canonicals()[0]).unwrap();
    let merge_hash = first["canonical"]["merge_hash"].as_str().unwrap();
    let list = b.cmd(&["feedser", "canonical", "list"]).ok().stdout;
    let row = list.lines().nth(1).unwrap();
    assert!(
        row.starts_with(&format!("{}  ", short(merge_hash))),
        "{list}"
    );
    let wide = b
        .cmd(&["feedser", "canonical", "list", "--wide"])
        .ok()
        .stdout;
    assert!(
        wide.lines().nth(1).unwrap().starts_with(merge_hash),
        "{wide}"
    );
    // Every row lines up under the header.
    let header = list.lines().next().unwrap();
    let at = header.find("CVE").unwrap();
    for line in list.lines().skip(1) {
        assert_eq!(line.chars().nth(at - 2), Some(' '), "{list}");
        assert_ne!(line.chars().nth(at), Some(' '), "{list}");
    }

    let events = b.cmd(&["feedser", "events", "--limit", "1"]).ok().stdout;
    assert!(events.lines().nth(1).unwrap().ends_with('…'), "{events}");
    let events = b
        .cmd(&["feedser", "events", "--limit", "1", "--wide"])
        .ok()
        .stdout;
    let hash = events.lines().nth(1).unwrap().rsplit(' ').next().unwrap();
    assert_eq!(hash.len(), 71, "{events}");
}

fn reports_use_human_units(store: Backend) {
    let (a, b) = federated_pair(store);
    let path = a.path("full.tar.zst");
    let out = a
        .cmd(&["feedser", "bundle", "export", "-o", path.to_str().unwrap()])
        .ok();
    let size = std::fs::metadata(&path).unwrap().len();
    assert!((1024..10 * 1024).contains(&size), "{size}");
    let expected = format!("{:.1} KB", (size as f64 / 1024.0 * 10.0).round() / 10.0);
    let expected = expected.replace(".0 KB", " KB");
    assert!(
        out.stdout.contains(&format!("\n  Size: {expected}\n")),
        "{}",
        out.stdout
    );
    let import = b
        .cmd(&["feedser", "bundle", "import", path.to_str().unwrap()])
        .ok();
    let duration = import
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("  Duration: "))
        .unwrap_or_else(|| panic!("{}", import.stdout));
    let (number, unit) = duration.split_once(' ').unwrap();
    assert!(number.parse::<f64>().is_ok(), "{duration}");
    assert!(["ms", "s"].contains(&unit), "{duration}");
}

crate::on_both_stores!(tables_shorten_digests_unless_wide, reports_use_human_units);
