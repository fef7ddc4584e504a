//! Every section-1 page in `man/` carries EXIT STATUS (the exit table, or
//! the codes a command can give where known), ENVIRONMENT, FILES, EXAMPLES
//! and SEE ALSO, and its examples run
//! through the real binary's argument parser.

use std::path::Path;

use crate::harness::*;

fn section_one_pages() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let mut pages: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "1"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    pages.sort();
    pages
}

#[test]
fn every_page_has_the_sections_and_its_exit_codes() {
    let pages = section_one_pages();
    assert!(pages.len() > 30, "{} pages", pages.len());
    for (name, page) in &pages {
        for section in [
            ".SH \"EXIT STATUS\"",
            ".SH ENVIRONMENT",
            ".SH FILES",
            ".SH \"SEE ALSO\"",
        ] {
            assert!(page.contains(section), "{name} lacks {section}");
        }
        for row in [
            "\\fB0 (Success)\\fR",
            "\\fB6 (PolicyRefused)\\fR",
            "\\fB143 (Terminated)\\fR",
        ] {
            if name == "stella-completions.1" {
                continue; // the codes it can give, checked below
            }
            assert!(page.contains(row), "{name} lacks the exit row {row}");
        }
        for env in [
            "\\fBSTELLA_HOME\\fR",
            "\\fBSTELLA_DATABASE_URL\\fR",
            "\\fBSTELLA_LOCK_WAIT\\fR",
        ] {
            assert!(page.contains(env), "{name} lacks {env}");
        }
        assert!(
            page.contains("\\fBHOME/audit.log\\fR"),
            "{name} lacks FILES"
        );
        assert!(
            page.contains("\\fIconcelier.yaml(5)\\fR"),
            "{name}: SEE ALSO"
        );
    }
    let page = |n: &str| &pages.iter().find(|(name, _)| name == n).unwrap().1;
    assert!(page("stella-feedser-serve.1").contains("\\fBSTELLA_API_TOKEN_FILE\\fR"));
    // `completions` opens nothing: its page lists only the codes it can give.
    let completions = page("stella-completions.1");
    assert!(completions.contains("\\fB2 (Usage)\\fR"));
    assert!(!completions.contains("(PolicyRefused)"));
    assert!(page("stella-feedser-sites-remove.1").contains("\\fIstella\\-feedser\\-sites(1)\\fR"));
}

/// The EXAMPLES lines of the pages, as the shell would pass them.
fn examples() -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    for (name, page) in section_one_pages() {
        let Some(section) = page.split(".SH EXAMPLES").nth(1) else {
            continue;
        };
        let section = section.split("\n.SH ").next().unwrap();
        for line in section.lines().filter(|l| l.starts_with("\\fBstella")) {
            let text = line
                .trim_start_matches("\\fB")
                .trim_end_matches("\\fR")
                .replace("\\-", "-")
                .replace("\\*(Aq", "'");
            found.push((name.clone(), stella::cli::examples::words(&text)));
        }
    }
    found
}

/// Each example, given to the binary with `--help` appended, is accepted
/// up to that point: clap refuses an unknown flag or subcommand before it
/// looks at `--help`, so exit 0 means the example's words parse.
#[test]
fn every_example_on_the_pages_parses_in_the_binary() {
    let examples = examples();
    assert!(examples.len() >= 36, "{} examples", examples.len());
    let site = Site::uninitialized("manuals");
    for (page, words) in examples {
        let mut args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        args.push("--help");
        let out = site.cmd(&args);
        assert_eq!(out.code, 0, "{page}: `{}`: {}", words.join(" "), out.stderr);
    }
}
