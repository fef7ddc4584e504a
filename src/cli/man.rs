//! The section-1 man pages, generated from the clap definition: `stella.1`
//! and one `stella-<path>.1` per visible subcommand, nested ones included
//! (`stella-feedser-bundle-import.1`).
//!
//! Invariant: the bytes depend only on the clap definition and the crate
//! version (no date, no environment values), so the copies committed in
//! `man/` are checked for drift by the `docs` integration test, which also
//! rewrites them when run with `STELLA_BLESS=1`.

use clap::CommandFactory;

/// Every generated page as (file name, roff bytes), parents before children.
pub fn pages() -> Vec<(String, Vec<u8>)> {
    let mut cmd = super::Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    collect(&cmd, &mut pages);
    pages
}

fn collect(cmd: &clap::Command, pages: &mut Vec<(String, Vec<u8>)>) {
    let man = clap_mangen::Man::new(cmd.clone())
        .source(concat!("stella ", env!("CARGO_PKG_VERSION")))
        .manual("stella");
    let mut bytes = Vec::new();
    man.render(&mut bytes)
        .expect("rendering into memory cannot fail");
    pages.push((man.get_filename(), bytes));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, pages);
    }
}

#[cfg(test)]
mod tests {
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
}
