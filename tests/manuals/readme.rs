//! The README answers (#27): its table of contents names every `##`
//! section, the troubleshooting reads in an 80-column terminal, and the
//! benchmark history lives in `scripts/bench-history.md`.

use std::path::Path;

fn file(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// The `##` headings outside code blocks, `Contents` itself left out.
fn headings(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut found = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        }
        if let Some(h) = line.strip_prefix("## ").filter(|_| !fenced) {
            found.push(h.to_owned());
        }
    }
    found.retain(|h| h != "Contents");
    found
}

/// GitHub's anchor of a heading.
fn anchor(heading: &str) -> String {
    let kept: String = heading
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .collect();
    kept.replace(' ', "-")
}

/// The section of `text` from `start` up to the next heading of its level.
fn section<'t>(text: &'t str, start: &str) -> &'t str {
    let from = text.find(start).unwrap_or_else(|| panic!("no `{start}`"));
    let level = start.split(' ').next().unwrap();
    let rest = &text[from + start.len()..];
    let end = rest.find(&format!("\n{level} ")).unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn the_contents_list_every_section_in_order() {
    let readme = file("README.md");
    let contents = section(&readme, "## Contents");
    let listed: Vec<&str> = contents.lines().filter(|l| l.starts_with("- [")).collect();
    let expected: Vec<String> = headings(&readme)
        .iter()
        .map(|h| format!("- [{h}](#{})", anchor(h)))
        .collect();
    assert_eq!(listed, expected, "README ## Contents vs its ## headings");
    assert!(expected.contains(&"- [Backup and restore](#backup-and-restore)".to_owned()));
    assert!(expected.contains(&"- [Upgrade](#upgrade)".to_owned()));
}

#[test]
fn troubleshooting_reads_in_80_columns_one_subsection_per_message() {
    let readme = file("README.md");
    let part = section(&readme, "### Troubleshooting");
    let part = &part[..part.find("#### Reproducing each message").unwrap()];
    for line in part.lines() {
        assert!(line.chars().count() <= 80, "over 80 columns: {line}");
    }
    let subsections = part.lines().filter(|l| l.starts_with("#### ")).count();
    assert!(subsections >= 9, "{subsections} subsections");
    for label in ["- **Cause:**", "- **Check:**", "- **Fix:**"] {
        assert_eq!(part.matches(label).count(), subsections, "{label}");
    }
    // Every documented message is the start of a block of its own.
    for message in [
        "Signature verification failed for site `S`",
        "Cursor not after current: bundle cursor `C`",
        "missing delta: bundle starts at `C`",
        "Bundle too large: the bundle is N bytes",
        "Site not allowed: site `S` is not in",
        "notice: site `S`'s allowed sources (L)",
    ] {
        assert!(part.contains(&format!("```text\n{message}")), "{message}");
    }
}

#[test]
fn the_benchmark_history_moved_out_of_the_readme() {
    let readme = file("README.md");
    let performance = section(&readme, "## Performance");
    assert!(performance.contains("| step | baseline | target (stella / baseline) |"));
    assert!(performance.contains("scripts/bench-history.md"));
    assert!(!performance.contains("start: stella s / baseline s"));
    let history = file("scripts/bench-history.md");
    assert!(history.contains("| step | start: stella s / baseline s = ratio |"));
    assert!(history.contains("N = 1,000,000 (4,009,363 items"));
}
