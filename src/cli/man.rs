//! The section-1 man pages, generated from the clap definition: `stella.1`
//! and one `stella-<path>.1` per visible subcommand, nested ones included
//! (`stella-feedser-bundle-import.1`). clap writes NAME to OPTIONS and
//! SUBCOMMANDS; `sections` adds EXIT STATUS, ENVIRONMENT, FILES, EXAMPLES
//! and SEE ALSO before VERSION.
//!
//! Invariant: the bytes depend only on the clap definition, the data in
//! `sections`/`examples` and the crate version (no date, no environment
//! values), so the copies committed in `man/` are checked for drift by the
//! `docs` integration test, which also rewrites them when run with
//! `STELLA_BLESS=1`.

use clap::CommandFactory;

/// Every generated page as (file name, roff bytes), parents before children.
pub fn pages() -> Vec<(String, Vec<u8>)> {
    let mut cmd = super::Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    collect(&cmd, "", None, &mut pages);
    pages
}

fn collect(
    cmd: &clap::Command,
    path: &str,
    parent: Option<&str>,
    pages: &mut Vec<(String, Vec<u8>)>,
) {
    let man = clap_mangen::Man::new(cmd.clone())
        .source(concat!("stella ", env!("CARGO_PKG_VERSION")))
        .manual("stella");
    let mut bytes = Vec::new();
    man.render(&mut bytes)
        .expect("rendering into memory cannot fail");
    let page = String::from_utf8(bytes).expect("clap_mangen writes UTF-8");
    let extra = super::sections::render(cmd, path, parent);
    let page = match page.find("\n.SH VERSION") {
        Some(at) => format!("{}\n{}{}", &page[..at], extra, &page[at + 1..]),
        None => page + &extra,
    };
    pages.push((man.get_filename(), page.into_bytes()));
    let name = super::sections::page_name(path);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let sub_path = format!("{path} {}", sub.get_name());
        collect(sub, sub_path.trim_start(), Some(&name), pages);
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    #[test]
    fn pages_are_deterministic_and_named_by_path() {
        let (first, second) = (super::pages(), super::pages());
        assert_eq!(first, second);
        let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names[0], "stella.1");
        assert!(names.contains(&"stella-feedser-bundle-import.1"));
        assert!(names.contains(&"stella-completions.1"));
        assert!(!names.iter().any(|n| n.contains("help")));
    }

    #[test]
    fn every_page_has_the_extra_sections_before_version() {
        for (name, bytes) in super::pages() {
            let page = String::from_utf8(bytes).unwrap();
            let at = |s: &str| page.find(s).unwrap_or_else(|| panic!("{name}: no {s}"));
            let order = [
                ".SH \"EXIT STATUS\"",
                ".SH ENVIRONMENT",
                ".SH FILES",
                ".SH \"SEE ALSO\"",
                ".SH VERSION",
            ];
            let found: Vec<usize> = order.iter().map(|s| at(s)).collect();
            assert!(found.is_sorted(), "{name}: sections out of order");
        }
    }

    /// Every example parses, and every visible leaf command has one.
    #[test]
    fn examples_parse_and_cover_every_command() {
        for (path, examples) in crate::cli::examples::EXAMPLES {
            for (line, _) in *examples {
                let words = crate::cli::examples::words(line);
                let parsed = crate::cli::Cli::try_parse_from(&words);
                assert!(parsed.is_ok(), "`{line}`: {}", parsed.unwrap_err());
                let expected = format!(" {path}");
                assert!(
                    line.contains(&expected),
                    "`{line}` is not an example of {path:?}"
                );
            }
        }
        let mut cmd = crate::cli::Cli::command().disable_help_subcommand(true);
        cmd.build();
        let mut missing = Vec::new();
        leaves(&cmd, "", &mut missing);
        assert!(missing.is_empty(), "commands without examples: {missing:?}");
    }

    fn leaves(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        let subs: Vec<_> = cmd.get_subcommands().filter(|s| !s.is_hide_set()).collect();
        if subs.is_empty() && crate::cli::examples::of(path).is_empty() {
            missing.push(path.to_owned());
        }
        for sub in subs {
            let sub_path = format!("{path} {}", sub.get_name());
            leaves(sub, sub_path.trim_start(), missing);
        }
    }

    use clap::CommandFactory;
}
