//! `bundle export --max-bytes SIZE`: a chain whose every file is at most
//! SIZE, which the peer imports in order to the source's state.

use std::path::{Path, PathBuf};

use crate::harness::*;

/// A with generated data and B trusting A, each in its own directory.
fn generated(store: Backend) -> (Site, Site) {
    let a = Site::on(store, "site-a");
    let key = a.with_key();
    a.cmd(&["dev", "gen-data", "--count", "120", "--deletions", "4"])
        .ok();
    let b = Site::on(store, "site-b");
    b.trust(&a, &key);
    (a, b)
}

/// Exports into `dir/name.tar.zst` with `extra` flags; the report as JSON.
fn export(a: &Site, dir: &Path, extra: &[&str]) -> serde_json::Value {
    std::fs::create_dir_all(dir).unwrap();
    let out = dir.join("x.tar.zst");
    let mut args = vec![
        "feedser",
        "bundle",
        "export",
        "-o",
        out.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    a.cmd(&args).ok().json()
}

/// The files in `dir`, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    files
}

/// Every part is a file at most `max` bytes (as reported), in chain order.
fn assert_parts_fit(report: &serde_json::Value, dir: &Path, max: u64) -> Vec<PathBuf> {
    let bundles = report["bundles"].as_array().unwrap();
    let paths = files(dir);
    assert_eq!(paths.len(), bundles.len(), "{report}");
    for (i, (b, path)) in bundles.iter().zip(&paths).enumerate() {
        assert_eq!(b["path"], path.to_str().unwrap());
        let size = std::fs::metadata(path).unwrap().len();
        assert_eq!(b["size"], size);
        assert!(size <= max, "part {i}: {size} bytes over {max}");
        if i > 0 {
            assert_eq!(b["since_cursor"], bundles[i - 1]["export_cursor"]);
        }
    }
    paths
}

fn max_bytes_cuts_a_chain_the_peer_imports(store: Backend) {
    let (a, b) = generated(store);
    let whole = export(&a, &a.path("whole"), &[]);
    let size = whole["bundles"][0]["size"].as_u64().unwrap();
    let max = size / 3;
    let limit = max.to_string();
    let dir = a.path("parts");
    let report = export(&a, &dir, &["--max-bytes", &limit]);
    let paths = assert_parts_fit(&report, &dir, max);
    assert!(paths.len() >= 3, "{report}");
    assert_eq!(report["export_cursor"], whole["export_cursor"]);
    let items: u64 = report["bundles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["counts"]["total"].as_u64().unwrap())
        .sum();
    assert_eq!(
        items,
        whole["bundles"][0]["counts"]["total"].as_u64().unwrap()
    );
    // The same data and key give the same parts, byte for byte.
    let again = a.path("again");
    export(&a, &again, &["--max-bytes", &limit]);
    let bytes = |d: &Path| {
        files(d)
            .iter()
            .map(|p| std::fs::read(p).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(bytes(&dir), bytes(&again));
    for path in &paths {
        b.cmd(&["feedser", "bundle", "import", path.to_str().unwrap()])
            .ok();
    }
    assert_same(&b.canonicals(), &a.canonicals(), "B after the parts");
}

/// With `--max-items` too, a part ends at whichever limit comes first:
/// under a loose byte limit the item limit cuts alone; under a tight one
/// the byte limit cuts the item parts further.
fn max_bytes_and_max_items_together(store: Backend) {
    let (a, b) = generated(store);
    let whole = export(&a, &a.path("whole"), &[]);
    let size = whole["bundles"][0]["size"].as_u64().unwrap();
    let by_items = export(&a, &a.path("items"), &["--max-items", "200"]);
    let loose = (size * 2).to_string();
    let both = export(
        &a,
        &a.path("loose"),
        &["--max-items", "200", "--max-bytes", &loose],
    );
    let hashes = |r: &serde_json::Value| {
        let bundles = r["bundles"].as_array().unwrap();
        bundles
            .iter()
            .map(|b| b["bundle_hash"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(hashes(&both), hashes(&by_items), "items first");
    let item_parts = by_items["bundles"].as_array().unwrap().len();
    assert!(item_parts >= 2, "{by_items}");
    let max = size / 4;
    let dir = a.path("parts");
    let report = export(
        &a,
        &dir,
        &["--max-items", "200", "--max-bytes", &max.to_string()],
    );
    let paths = assert_parts_fit(&report, &dir, max);
    assert!(paths.len() > item_parts, "bytes cut further: {report}");
    for b in report["bundles"].as_array().unwrap() {
        assert!(b["counts"]["total"].as_u64().unwrap() <= 200, "{b}");
    }
    for path in &paths {
        b.cmd(&["feedser", "bundle", "import", path.to_str().unwrap()])
            .ok();
    }
    assert_same(&b.canonicals(), &a.canonicals(), "B after the parts");
}

/// A limit smaller than one change's bundle: refused (exit 2) with the
/// numbers, before anything is written.
fn a_limit_below_one_change_is_refused_before_writing(store: Backend) {
    let (a, _b) = generated(store);
    let dir = a.path("parts");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("x.tar.zst");
    let args = [
        "feedser",
        "bundle",
        "export",
        "-o",
        out.to_str().unwrap(),
        "--max-bytes",
        "1KB",
    ];
    let refused = a.cmd(&args).code(2);
    let stderr = redact(&refused.stderr);
    let bytes = stderr
        .strip_prefix("error: the change at cursor `<time>#0001` alone makes a bundle of ")
        .and_then(|rest| {
            rest.split_once(" bytes, over --max-bytes 1024: raise --max-bytes to at least ")
        })
        .unwrap_or_else(|| panic!("{stderr}"));
    assert_eq!(format!("{}\n", bytes.0), bytes.1, "{stderr}");
    assert!(bytes.0.parse::<u64>().unwrap() > 1024);
    assert_eq!(files(&dir), Vec::<PathBuf>::new());
    // To stdout, a chain is refused as with --max-items.
    let whole = export(&a, &a.path("whole"), &[]);
    let size = whole["bundles"][0]["size"].as_u64().unwrap();
    let limit = (size / 2).to_string();
    let out = a.cmd(&[
        "feedser",
        "bundle",
        "export",
        "-o",
        "-",
        "--max-bytes",
        &limit,
    ]);
    let out = out.code(2);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.ends_with(&format!(
            " bundles (over --max-bytes {limit}), which cannot all go to stdout: write to a file with -o, or raise --max-bytes\n"
        )),
        "{}",
        out.stderr
    );
}

crate::on_both_stores!(
    max_bytes_cuts_a_chain_the_peer_imports,
    max_bytes_and_max_items_together,
    a_limit_below_one_change_is_refused_before_writing,
);
