//! A site that grows past `Federation.DefaultMaxItems` (issue #27): the
//! cron lines of a small site keep working when its export becomes a
//! chain, and `bundle import` takes several files or an inbox directory,
//! validating every part before it applies any.
//!
//! The sender's `DefaultMaxItems` is set to [`MAX_ITEMS`] so that a few
//! dozen synthetic canonicals (`dev gen-data`) make a chain.

mod batch;
mod cron;
mod document;

use std::path::Path;

use crate::harness::*;

/// The sender's `Federation.DefaultMaxItems` in these tests.
pub const MAX_ITEMS: u64 = 30;

/// Site A (key `fed`, `DefaultMaxItems` [`MAX_ITEMS`]) and site B that
/// trusts it; both empty.
pub fn growing_pair(store: Backend) -> (Site, Site) {
    let a = Site::on(store, "site-a");
    let key = a.with_key();
    let config = a.home().join("concelier.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text.replace(
        "DefaultMaxItems: 10000",
        &format!("DefaultMaxItems: {MAX_ITEMS}"),
    );
    std::fs::write(&config, text).unwrap();
    let b = Site::on(store, "site-b");
    b.trust(&a, &key);
    (a, b)
}

/// `count` more synthetic canonicals at `site` (`seed` picks which).
pub fn grow(site: &Site, count: u32, seed: u32) {
    site.cmd(&[
        "dev",
        "gen-data",
        "--count",
        &count.to_string(),
        "--seed",
        &seed.to_string(),
        "--deletions",
        "0",
    ])
    .ok();
}

/// The file names in `dir`, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `dir/name` as a string argument.
pub fn arg(dir: &Path, name: &str) -> String {
    path_arg(&dir.join(name))
}

pub fn path_arg(path: &Path) -> String {
    path.to_str().unwrap().to_owned()
}
