//! The README's shell blocks, run as written, so that a newcomer who follows
//! the README alone gets what it promises.
//!
//! Convention: a fenced ` ```sh ` block whose line just before is
//!
//! ```text
//! <!-- test: NAME [after=OTHER] [expect-exit=N] [expect-stderr="TEXT"] -->
//! ```
//!
//! is a test. It runs with `bash -euo pipefail` in a fresh temporary
//! directory that holds a `fixtures` link to the repository's `fixtures/`,
//! with the built `stella` first on `PATH` and no `STELLA_*` variable set.
//! `after=OTHER` first runs OTHER (and what OTHER follows on from) in the same
//! directory, each block as its own bash, so blocks share files but not shell
//! variables, like commands run on two machines. A block must exit 0 unless
//! it says `expect-exit=N`; `expect-stderr` is text its stderr must contain
//! (for the troubleshooting blocks: the start of the exact message).
//! `needs=postgres` runs the block with `PGURL` naming a fresh test
//! database (one per chain), and skips it, saying why, when PostgreSQL is
//! not reachable (a failure with `CI=true`, see `backend`).
//!
//! `readme_blocks!` below lists every marked block: the listing test fails
//! when the README loses a block (so it cannot silently stop being tested)
//! or gains one that is not listed. Blocks must not need the network
//! (a block may start `feedser serve` on a loopback port in the
//! background, its output redirected, and stop it with an `EXIT` trap),
//! nor PostgreSQL unless marked `needs=postgres`; illustrative blocks
//! (`/etc` paths, ssh, cron) stay unmarked, but every `stella` command in
//! any `sh` block must still parse
//! with the real command line (`readme_commands_parse`).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::harness::{BIN, fixture};

mod commands;

/// A marked block: its marker's settings and its script.
#[derive(Debug, Default)]
struct Block {
    after: Option<String>,
    exit: i32,
    stderr: Option<String>,
    postgres: bool,
    script: String,
    line: usize,
}

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("read README.md")
}

/// Every ` ```sh ` block: (line of its fence, marker text if any, script).
fn sh_blocks(text: &str) -> Vec<(usize, Option<String>, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim().starts_with("<!-- test:") {
            assert_eq!(
                lines.get(i + 1).copied(),
                Some("```sh"),
                "README.md line {}: a test marker must be followed by a ```sh block",
                i + 1
            );
        }
        if lines[i] == "```sh" {
            let start = i + 1;
            let len = lines[start..].iter().position(|l| *l == "```");
            let len = len.unwrap_or_else(|| panic!("README.md line {i}: unclosed block"));
            let script = lines[start..start + len].join("\n") + "\n";
            let marker = i.checked_sub(1).and_then(|p| {
                let m = lines[p].trim().strip_prefix("<!-- test:")?;
                Some(
                    m.strip_suffix("-->")
                        .expect("marker ends with -->")
                        .to_owned(),
                )
            });
            blocks.push((start, marker, script));
            i = start + len;
        }
        i += 1;
    }
    blocks
}

/// Splits a marker into words; `key="a b"` is one word, without the quotes.
fn marker_words(marker: &str) -> Vec<String> {
    let (mut words, mut word, mut quoted) = (Vec::new(), String::new(), false);
    for c in marker.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => words.extend(Some(std::mem::take(&mut word))),
            c => word.push(c),
        }
    }
    words.push(word);
    words.retain(|w| !w.is_empty());
    words
}

/// The marked blocks by name.
fn marked_blocks() -> BTreeMap<String, Block> {
    let mut blocks = BTreeMap::new();
    for (line, marker, script) in sh_blocks(&readme()) {
        let Some(marker) = marker else { continue };
        let words = marker_words(&marker);
        let mut block = Block {
            script,
            line,
            ..Block::default()
        };
        for word in &words[1..] {
            match word.split_once('=') {
                Some(("after", v)) => block.after = Some(v.to_owned()),
                Some(("expect-exit", v)) => block.exit = v.parse().expect("expect-exit=N"),
                Some(("expect-stderr", v)) => block.stderr = Some(v.to_owned()),
                Some(("needs", "postgres")) => block.postgres = true,
                _ => panic!("README.md line {line}: unknown marker setting `{word}`"),
            }
        }
        let name = words[0].clone();
        assert!(
            blocks.insert(name.clone(), block).is_none(),
            "README.md: two blocks are named `{name}`"
        );
    }
    blocks
}

/// `PATH` with the directory of the built binary first.
fn path_with_stella() -> std::ffi::OsString {
    let bin = Path::new(BIN)
        .parent()
        .expect("binary directory")
        .to_owned();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&rest))).expect("PATH")
}

fn run(name: &str, block: &Block, dir: &Path, pg_url: Option<&str>) {
    let mut command = Command::new("bash");
    command
        .args(["-euo", "pipefail", "-c", &block.script])
        .current_dir(dir)
        .env("PATH", path_with_stella())
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("STELLA_") {
            command.env_remove(key);
        }
    }
    match pg_url {
        Some(url) => command.env("PGURL", url),
        None => command.env_remove("PGURL"),
    };
    let out = command
        .output()
        .expect("run bash (the README tests need it)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report = || {
        format!(
            "README.md block `{name}` (line {}):\n{}\nstdout:\n{}\nstderr:\n{stderr}",
            block.line,
            block.script,
            String::from_utf8_lossy(&out.stdout)
        )
    };
    assert_eq!(
        out.status.code(),
        Some(block.exit),
        "exit code of {}",
        report()
    );
    if let Some(text) = &block.stderr {
        assert!(
            stderr.contains(text.as_str()),
            "stderr lacks `{text}`: {}",
            report()
        );
    }
}

/// Runs the block `name` after the blocks it follows on from, in one fresh
/// directory.
fn run_block(name: &str) {
    let blocks = marked_blocks();
    let mut chain = vec![name.to_owned()];
    while let Some(after) = &blocks[chain.last().unwrap()].after {
        assert!(
            blocks.contains_key(after),
            "`{name}` follows unknown `{after}`"
        );
        assert!(!chain.contains(after), "`{name}`: `after` loops");
        chain.push(after.clone());
    }
    let database = if chain.iter().any(|step| blocks[step].postgres) {
        let test = format!("readme block `{name}`");
        if crate::backend::Backend::postgres(&test).is_none() {
            return;
        }
        Some(crate::backend::Database::create())
    } else {
        None
    };
    let url = database.as_ref().map(crate::backend::Database::url);
    let dir = tempfile::tempdir().expect("temp dir");
    std::os::unix::fs::symlink(fixture(""), dir.path().join("fixtures")).expect("link fixtures");
    for step in chain.iter().rev() {
        run(step, &blocks[step], dir.path(), url.as_deref());
    }
}

macro_rules! readme_blocks {
    ($($test:ident => $name:literal,)*) => {
        /// Every marked block of the README, by name.
        const BLOCKS: &[&str] = &[$($name),*];
        $(#[test] fn $test() { run_block($name); })*
    };
}

readme_blocks! {
    quick_start => "quick-start",
    setup => "setup",
    full_sync => "full-sync",
    delta_sync => "delta-sync",
    delta_empty => "delta-empty",
    air_gap_out => "air-gap-out",
    air_gap_in => "air-gap-in",
    scan_in_enclave => "scan-in-enclave",
    verify => "verify",
    key_rotation => "key-rotation",
    http_push => "http-push",
    sync_pull => "sync-pull",
    trouble_signature => "trouble-signature",
    fix_signature => "fix-signature",
    trouble_stale => "trouble-stale",
    fix_stale => "fix-stale",
    trouble_gap => "trouble-gap",
    fix_gap => "fix-gap",
    trouble_size => "trouble-size",
    fix_size => "fix-size",
    trouble_lock => "trouble-lock",
    trouble_doctor => "trouble-doctor",
    fix_doctor => "fix-doctor",
    backup_sqlite => "backup-sqlite",
    restore_sqlite => "restore-sqlite",
    backup_postgres => "backup-postgres",
    restore_postgres => "restore-postgres",
    upgrade_sqlite => "upgrade-sqlite",
    upgrade_postgres => "upgrade-postgres",
}

#[test]
fn every_marked_block_is_listed_and_every_listed_block_is_marked() {
    let marked: Vec<String> = marked_blocks().into_keys().collect();
    let mut listed: Vec<String> = BLOCKS.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(marked, listed, "README.md markers vs readme_blocks!");
}
