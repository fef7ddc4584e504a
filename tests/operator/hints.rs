//! Hints name real commands: every `` `stella …` `` a message in `src/`
//! names (comments and test code aside) must parse with the real command line, placeholders
//! (`ID`, `NAME`, `FILE`, `{site}`) standing for values.

use std::path::{Path, PathBuf};

use clap::Parser;

/// Backticked spans that are not one command: ellipses and usage syntax.
fn is_command(span: &str) -> bool {
    !span.contains(['…', '[', '|', '<']) && !span.contains("...")
}

/// What a placeholder stands for when the command is parsed.
fn value(word: &str) -> String {
    match word {
        "SHELL" => "bash".to_owned(),
        "SIZE" => "100MB".to_owned(),
        w if w.starts_with('{') => "x".to_owned(),
        w => w.to_owned(),
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `` `stella …` `` span of `text`.
fn commands(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| span.starts_with("stella ") && is_command(span))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_stella_command_named_in_src_parses() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    files.sort();
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in &files {
        // Test code's strings are not hints.
        let name = file.to_string_lossy();
        if name.contains("/tests/") || name.ends_with("tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        // Doc comments name commands (`stella init`); messages give them.
        let messages = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().starts_with("//"));
        for (n, line) in messages {
            for command in commands(line) {
                let argv: Vec<String> = command.split_whitespace().map(value).collect();
                checked += 1;
                if let Err(e) = stella::cli::Cli::try_parse_from(&argv) {
                    let kind = e.kind();
                    failures.push(format!(
                        "{}:{}: `{command}`: {kind:?}",
                        file.display(),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} commands found");
    assert!(
        failures.is_empty(),
        "hints that name no command:\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_reader_finds_hints_and_skips_usage_syntax() {
    assert_eq!(
        commands("see `stella feedser quarantine list` or `stella doctor [--json]`, `x`"),
        ["stella feedser quarantine list"]
    );
    assert_eq!(value("{site}"), "x");
    assert!(stella::cli::Cli::try_parse_from(["stella", "keys", "list"]).is_err());
}
