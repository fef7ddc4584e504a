//! Generated documentation: the man pages in `man/` match the CLI, and
//! `stella completions SHELL` prints a usable script.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::harness::*;

/// Pages in `man/` written by hand, not generated from the CLI.
const HAND_WRITTEN: [&str; 5] = [
    "concelier.yaml.5",
    "stella-bundle.5",
    "stella-json.7",
    "stella-merge-hash.7",
    "stella-osv-export.5",
];

const REFRESH: &str = "STELLA_BLESS=1 cargo test --test integration docs::man_pages";

fn man_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("man")
}

/// The generated pages committed in `man/`.
fn committed_pages() -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(man_dir())
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(name, _)| !HAND_WRITTEN.contains(&name.as_str()))
        .map(|(name, path)| (name, std::fs::read(path).unwrap()))
        .collect()
}

/// With `STELLA_BLESS=1`, makes `man/` hold exactly the generated pages.
fn bless(generated: &BTreeMap<String, Vec<u8>>, committed: &BTreeMap<String, Vec<u8>>) {
    for name in committed.keys().filter(|n| !generated.contains_key(*n)) {
        std::fs::remove_file(man_dir().join(name)).unwrap();
    }
    for (name, bytes) in generated {
        std::fs::write(man_dir().join(name), bytes).unwrap();
    }
}

#[test]
fn man_pages_in_the_repository_match_the_cli() {
    let generated: BTreeMap<String, Vec<u8>> = stella::cli::man::pages().into_iter().collect();
    let committed = committed_pages();
    if std::env::var("STELLA_BLESS").as_deref() == Ok("1") {
        bless(&generated, &committed);
        return;
    }
    let missing: Vec<&String> = generated
        .keys()
        .filter(|n| !committed.contains_key(*n))
        .collect();
    let extra: Vec<&String> = committed
        .keys()
        .filter(|n| !generated.contains_key(*n))
        .collect();
    let changed: Vec<&String> = generated
        .iter()
        .filter(|(n, bytes)| committed.get(*n).is_some_and(|c| c != *bytes))
        .map(|(n, _)| n)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && changed.is_empty(),
        "man/ does not match the CLI (missing {missing:?}, extra {extra:?}, changed {changed:?}): \
         run `{REFRESH}`"
    );
    assert!(generated.contains_key("stella.1"));
    assert!(generated.contains_key("stella-feedser-bundle-import.1"));
}

#[test]
fn a_nested_page_names_its_path_version_and_environment() {
    let page = std::fs::read_to_string(man_dir().join("stella-feedser-bundle-import.1")).unwrap();
    assert!(page.starts_with(".ie \\n(.g .ds Aq \\(aq"), "{page}");
    assert!(
        page.contains(".TH stella-feedser-bundle-import 1  \"stella 0.1.0\" stella"),
        "{page}"
    );
    assert!(page.contains("STELLA_HOME"), "{page}");
}

fn completions(shell: &str) -> String {
    let site = Site::uninitialized("docs");
    let out = site.cmd(&["completions", shell]).ok().stderr_is("");
    assert!(!out.stdout.is_empty(), "{shell}: empty script");
    out.stdout
}

#[test]
fn completions_name_the_subcommands_for_every_shell() {
    let shells = [
        ("bash", "complete -F _stella"),
        ("zsh", "#compdef stella"),
        ("fish", "complete -c stella"),
        (
            "powershell",
            "Register-ArgumentCompleter -Native -CommandName 'stella'",
        ),
    ];
    for (shell, hook) in shells {
        let script = completions(shell);
        assert!(script.contains(hook), "{shell} script lacks `{hook}`");
        for word in [
            "feedser",
            "authority",
            "completions",
            "import",
            "quarantine",
        ] {
            assert!(script.contains(word), "{shell} script lacks `{word}`");
        }
        // The hidden developer tools stay out, as they do in --help.
        for hidden in ["gen-data", "benchmark data"] {
            assert!(!script.contains(hidden), "{shell} script offers `{hidden}`");
        }
    }
}

#[test]
fn the_bash_script_is_valid_bash() {
    let script = completions("bash");
    let site = Site::uninitialized("docs");
    let path = site.path("stella.bash");
    std::fs::write(&path, script).unwrap();
    match std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
    {
        Ok(out) => assert!(
            out.status.success(),
            "bash -n: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => eprintln!("skipped: bash -n: bash is not available ({e})"),
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let site = Site::uninitialized("docs");
    let out = site.cmd(&["completions", "tcsh"]).code(2);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .starts_with("error: invalid value 'tcsh' for '<SHELL>'"),
        "{}",
        out.stderr
    );
}
