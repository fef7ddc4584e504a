//! Completions offer the home's site ids, key names and quarantine ids
//! (#27): bash is driven the way it completes (`COMP_WORDS`, `COMP_CWORD`,
//! then the function `complete -p stella` names); zsh and fish scripts carry
//! the hook, and are run when the shell is present.

use crate::harness::*;

/// Site B with sites `site-a` and `site-c`, keys `fed` and `spare`, and one
/// quarantined bundle; returns it with the quarantine id.
fn home() -> (Site, String) {
    let a = site_with_data(Backend::Sqlite);
    let b = Site::new("site-b");
    b.trust(&a, &a.path("site-a.pub.pem"));
    b.cmd(&["feedser", "sites", "add", "site-c", "--display-name", "C"])
        .ok();
    for name in ["fed", "spare"] {
        b.cmd(&["authority", "keys", "generate", "--name", name])
            .ok();
    }
    // Signed by a key B does not trust: refused and quarantined.
    a.cmd(&["authority", "keys", "generate", "--name", "other"])
        .ok();
    let bundle = a.export("other.tar.zst", &["--key", "other"]);
    b.cmd(&["feedser", "bundle", "import", bundle.to_str().unwrap()])
        .code(5);
    let list = b.json(&["feedser", "quarantine", "list", "--json"]);
    let id = list[0]["id"].as_str().unwrap().to_owned();
    (b, id)
}

fn script(site: &Site, shell: &str) -> std::path::PathBuf {
    let out = site.cmd(&["completions", shell]).ok().stderr_is("");
    let path = site.path(&format!("stella.{shell}"));
    std::fs::write(&path, out.stdout).unwrap();
    path
}

/// The candidates bash offers for `line` (the last word is the one being
/// completed; empty for a fresh word).
fn bash_candidates(site: &Site, line: &str) -> Outcome {
    let home = format!("--home '{}'", site.home().display());
    bash_words(site, &home, line)
}

/// The candidates bash offers for `stella HOME LINE`, `home` being the
/// words that give the home as bash splits them.
fn bash_words(site: &Site, home: &str, line: &str) -> Outcome {
    let script = script(site, "bash");
    let driver = format!(
        r#"source '{}'
fn=$(complete -p stella | sed -E 's/.*-F ([^ ]+).*/\1/')
COMP_WORDS=(stella {home} {line})
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="${{COMP_WORDS[*]}}"
"$fn" stella "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}" | sort"#,
        script.display(),
    );
    let file = site.path("drive.bash");
    std::fs::write(&file, driver).unwrap();
    site.shell(&format!("bash '{}'", file.display())).go()
}

fn has_bash() -> bool {
    let found = std::process::Command::new("bash")
        .arg("--version")
        .output()
        .is_ok();
    if !found {
        eprintln!("skipped: bash is not available");
    }
    found
}

#[test]
fn hidden_complete_lists_the_names_of_the_home_without_the_lock() {
    let (b, id) = home();
    b.cmd(&["__complete", "sites"])
        .ok()
        .stderr_is("")
        .stdout_is("site-a\nsite-c\n");
    b.cmd(&["__complete", "keys"])
        .ok()
        .stdout_is("fed\nspare\n");
    b.cmd(&["__complete", "quarantine"])
        .ok()
        .stdout_is(&format!("{id}\n"));
    // A home that is not there lists nothing and says nothing.
    let none = Site::uninitialized("nowhere");
    none.cmd(&["__complete", "sites"])
        .ok()
        .stderr_is("")
        .stdout_is("");
    // The hidden command stays out of --help and the scripts' word lists.
    let help = b.cmd(&["--help"]).ok();
    assert!(!help.stdout.contains("__complete"), "{}", help.stdout);
}

#[test]
fn bash_completes_site_ids_key_names_and_quarantine_ids() {
    if !has_bash() {
        return;
    }
    let (b, id) = home();
    let cases = [
        ("feedser sites status ''", "site-a\nsite-c\n".to_owned()),
        ("feedser sites history site-", "site-a\nsite-c\n".to_owned()),
        ("feedser sites policy site-c", "site-c\n".to_owned()),
        ("feedser sites remove ''", "site-a\nsite-c\n".to_owned()),
        ("authority keys export ''", "fed\nspare\n".to_owned()),
        ("authority keys default s", "spare\n".to_owned()),
        ("authority keys retire ''", "fed\nspare\n".to_owned()),
        ("feedser quarantine show ''", format!("{id}\n")),
        ("feedser quarantine retry ''", format!("{id}\n")),
        // Subcommands still complete as clap generated them.
        ("feedser sites rem", "remove\n".to_owned()),
        // An option's value is the option's, not a name; a flag takes no
        // word, and a value given ends the option.
        (
            "feedser sites policy --enabled ''",
            "false\ntrue\n".to_owned(),
        ),
        ("feedser sites policy --enabled f", "false\n".to_owned()),
        (
            "feedser sites policy --enabled false ''",
            "site-a\nsite-c\n".to_owned(),
        ),
        (
            "feedser sites status --json ''",
            "site-a\nsite-c\n".to_owned(),
        ),
        // `sites add --enabled` takes an optional value.
        (
            "feedser sites add site-x --enabled ''",
            "false\ntrue\n".to_owned(),
        ),
    ];
    for (line, expected) in cases {
        let out = bash_candidates(&b, line).ok();
        assert_eq!(out.stdout, expected, "`stella {line}`: {}", out.stderr);
    }
}

/// `--home=DIR` is one word for clap; bash splits it at `=` (its
/// `COMP_WORDBREAKS`), and a shell or a bash without `=` there may not. Both
/// reach the names of that home, and `--option=value` ends the option.
#[test]
fn bash_takes_the_home_and_values_given_with_equals() {
    if !has_bash() {
        return;
    }
    let (b, _) = home();
    let dir = b.home().display().to_string();
    let split = format!("--home = '{dir}'");
    let joined = format!("'--home={dir}'");
    for home in [&split, &joined] {
        for (line, expected) in [
            ("feedser sites status ''", "site-a\nsite-c\n"),
            ("authority keys export ''", "fed\nspare\n"),
            (
                "feedser sites policy --enabled = false ''",
                "site-a\nsite-c\n",
            ),
            (
                "feedser sites policy --enabled=false ''",
                "site-a\nsite-c\n",
            ),
        ] {
            let out = bash_words(&b, home, line).ok();
            assert_eq!(
                out.stdout, expected,
                "`stella {home} {line}`: {}",
                out.stderr
            );
        }
    }
}

#[test]
fn zsh_and_fish_scripts_carry_the_hook() {
    let (b, _) = home();
    for (shell, hook) in [
        ("zsh", "__complete \"$kind\""),
        ("fish", "__complete (__fish_stella_kind)"),
    ] {
        let path = script(&b, shell);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(hook), "{shell} script lacks `{hook}`");
        for path in [
            "feedser sites remove",
            "authority keys retire",
            "feedser quarantine retry",
        ] {
            assert!(text.contains(path), "{shell} script lacks `{path}`");
        }
        let check = match shell {
            "zsh" => ["-n"].as_slice(),
            _ => ["--no-execute"].as_slice(),
        };
        match std::process::Command::new(shell)
            .args(check)
            .arg(&path)
            .output()
        {
            Ok(out) => assert!(
                out.status.success(),
                "{shell}: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) => eprintln!("skipped: {shell} -n: {shell} is not available ({e})"),
        }
    }
}
