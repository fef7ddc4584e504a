//! A chain's names on disk: one stable name stands for the whole chain, so
//! a cron line written for a small site keeps working as it grows (#27).
//!
//! `export -o NAME` writes NAME when the delta fits one bundle, and
//! `NAME`'s parts otherwise: `x.tar.zst` → `x.0001.tar.zst`, `x.zst` →
//! `x.0001.zst`, any other name `x` → `x.0001`. `import NAME`, when NAME
//! does not exist, takes the parts numbered from 0001 up without a gap
//! ([`parts_on_disk`]).
//!
//! Invariant: what is on disk under one name is one run's. Before an export
//! writes, [`stale`] lists what an earlier run left under the same name
//! that this run does not replace (NAME itself when this run writes parts,
//! every part when it writes NAME, higher-numbered parts of a longer
//! chain); the export refuses them without `--force` and removes them with
//! it, after every new file is in place.

use std::path::{Path, PathBuf};

/// The extensions a part number goes before, longest first.
const EXTENSIONS: [&str; 2] = [".tar.zst", ".zst"];

/// `base` split into its stem and the extension a part number goes before.
fn split(base: &Path) -> (String, &'static str) {
    let text = base.to_string_lossy().into_owned();
    for ext in EXTENSIONS {
        if let Some(stem) = text.strip_suffix(ext).filter(|s| !s.is_empty()) {
            return (stem.to_owned(), ext);
        }
    }
    (text, "")
}

/// Part `number` (from 1) of the chain named `base`.
pub fn part_path(base: &Path, number: usize) -> PathBuf {
    let (stem, ext) = split(base);
    PathBuf::from(format!("{stem}.{number:04}{ext}"))
}

/// The parts of the chain named `base` that exist, from 0001 up to the
/// first missing number; empty when there is no part 0001.
pub fn parts_on_disk(base: &Path) -> Vec<PathBuf> {
    (1..)
        .map(|n| part_path(base, n))
        .take_while(|p| p.is_file())
        .collect()
}

/// Which number, if any, `name` has as a part of the chain named `base`:
/// four or more digits between the stem and the extension.
fn part_number(base: &Path, name: &Path) -> Option<usize> {
    let (stem, ext) = split(base);
    let name = name.to_string_lossy();
    let digits = name.strip_prefix(&format!("{stem}."))?.strip_suffix(ext)?;
    let all_digits = digits.len() >= 4 && digits.bytes().all(|b| b.is_ascii_digit());
    all_digits.then(|| digits.parse().ok()).flatten()
}

/// What an earlier run left under `base` that a run writing `count`
/// bundles would not replace: `base` itself when `count > 1`, and every
/// part numbered over `count` (all of them when `count == 1`), sorted.
pub fn stale(base: &Path, count: usize) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let replaced =
        std::fs::symlink_metadata(base).is_ok_and(|m| m.is_file() || m.file_type().is_symlink());
    if count > 1 && replaced {
        found.push(base.to_owned());
    }
    let keep = if count > 1 { count } else { 0 };
    let dir = match base.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    let mut parts: Vec<(usize, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let path = match base.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.join(e.file_name()),
                _ => PathBuf::from(e.file_name()),
            };
            part_number(base, &path).map(|n| (n, path))
        })
        .filter(|(n, _)| *n > keep)
        .collect();
    parts.sort();
    found.extend(parts.into_iter().map(|(_, p)| p));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_numbered_before_the_extension() {
        let p = |b: &str, n| part_path(Path::new(b), n).display().to_string();
        assert_eq!(p("stick/x.tar.zst", 1), "stick/x.0001.tar.zst");
        assert_eq!(p("./full-sync.zst", 12), "./full-sync.0012.zst");
        assert_eq!(p("out", 3), "out.0003");
        assert_eq!(p(".zst", 1), ".zst.0001");
    }

    #[test]
    fn only_numbered_names_of_the_same_stem_are_parts() {
        let n = |b: &str, name: &str| part_number(Path::new(b), Path::new(name));
        assert_eq!(n("d/x.tar.zst", "d/x.0002.tar.zst"), Some(2));
        assert_eq!(n("d/x.tar.zst", "d/x.12345.tar.zst"), Some(12345));
        assert_eq!(n("d/x.tar.zst", "d/x.002.tar.zst"), None);
        assert_eq!(n("d/x.tar.zst", "d/x-a.0002.tar.zst"), None);
        assert_eq!(n("d/x.tar.zst", "d/x.000a.tar.zst"), None);
        assert_eq!(n("x.zst", "x.0001.tar.zst"), None);
    }

    #[test]
    fn stale_names_what_a_longer_or_other_shaped_run_left() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("x.tar.zst");
        for name in [
            "x.tar.zst",
            "x.0001.tar.zst",
            "x.0002.tar.zst",
            "x.0003.tar.zst",
        ] {
            std::fs::write(dir.path().join(name), b"").unwrap();
        }
        std::fs::write(dir.path().join("y.0009.tar.zst"), b"").unwrap();
        let names = |v: Vec<PathBuf>| -> Vec<String> {
            let file = |p: &PathBuf| p.file_name().unwrap().to_string_lossy().into_owned();
            v.iter().map(file).collect()
        };
        assert_eq!(names(stale(&base, 2)), ["x.tar.zst", "x.0003.tar.zst"]);
        assert_eq!(
            names(stale(&base, 1)),
            ["x.0001.tar.zst", "x.0002.tar.zst", "x.0003.tar.zst"]
        );
        assert_eq!(names(parts_on_disk(&base)).len(), 3);
    }
}
