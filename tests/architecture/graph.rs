//! Reads `src/**/*.rs` into edges between top-level modules: the paths
//! `crate::a…` and `use crate::{a…, b…}`. Line comments are left out, so
//! docs that name a module in backticks are not dependencies. (`super::`
//! stays inside a top-level module in this code base, and inline `mod`s
//! make it ambiguous to a text scan, so it is not followed.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `(from, to)` → the first file that holds the edge.
pub fn top_level_edges(src: &Path) -> BTreeMap<(String, String), String> {
    let mut edges = BTreeMap::new();
    for file in rust_files(src) {
        let rel = file.strip_prefix(src).unwrap();
        let parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let from = parts[0].trim_end_matches(".rs").to_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        for to in targets(&text) {
            if to != from {
                let at = format!("src/{}", rel.display());
                edges.entry((from.clone(), to)).or_insert(at);
            }
        }
    }
    edges
}

/// The top-level modules: `src/x.rs` and `src/x/`.
pub fn top_level_modules(src: &Path) -> BTreeSet<String> {
    std::fs::read_dir(src)
        .unwrap()
        .flatten()
        .map(|e| {
            e.file_name()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_owned()
        })
        .collect()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The top-level modules `text` names.
pub fn targets(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < code.len() {
        let rest = &code[i..];
        let boundary = i == 0 || !is_ident(bytes[i - 1]);
        if boundary && rest.starts_with("crate::") {
            found.extend(heads(&rest["crate::".len()..]));
            i += "crate::".len();
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    found.remove("self");
    found
}

/// The first segment of a path, or of each path in a `{…}` group.
fn heads(rest: &str) -> Vec<String> {
    if let Some(group) = rest.strip_prefix('{') {
        let mut names = Vec::new();
        let (mut level, mut start) = (0, true);
        for (i, c) in group.char_indices() {
            match c {
                '{' => level += 1,
                '}' if level == 0 => break,
                '}' => level -= 1,
                ',' if level == 0 => start = true,
                c if start && (c.is_ascii_alphabetic() || c == '_') => {
                    names.push(ident(&group[i..]));
                    start = false;
                }
                _ => {}
            }
        }
        return names;
    }
    vec![ident(rest)]
}

fn ident(text: &str) -> String {
    text.bytes()
        .take_while(|b| is_ident(*b))
        .map(char::from)
        .collect()
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}
