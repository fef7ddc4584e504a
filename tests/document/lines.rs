//! The document's command lines, as it writes them, and a check that this
//! list is the document's: when `../shared/seed` sits beside the checkout,
//! every shell line of every `bash` block in the document must be here, and
//! nothing else. A line the document gains or changes fails this test until
//! the walk runs it.

use std::collections::BTreeSet;
use std::path::Path;

pub const SITES_ADD: &str =
    r#"stella feedser sites add site-us-east-1 --display-name "US East Production" --enabled"#;
pub const SITES_POLICY: &str = "stella feedser sites policy site-us-east-1 --max-bundle-size 100MB --allowed-sources nvd,ghsa,debian";
pub const KEYS_GENERATE: &str = "stella authority keys generate --name federation-signer --algorithm ES256 --purpose federation";
pub const KEYS_EXPORT: &str = "stella authority keys export federation-signer --public";
pub const IMPORT: &str = "stella feedser bundle import ./bundle.zst";
pub const IMPORT_DRY_RUN: &str = "stella feedser bundle import ./bundle.zst --dry-run";
pub const IMPORT_STDIN: &str = "cat bundle.zst | stella feedser bundle import -";
pub const IMPORT_SKIP_SIGNATURE: &str =
    "stella feedser bundle import ./bundle.zst --skip-signature";
pub const IMPORT_FORCE: &str = "stella feedser bundle import ./bundle.zst --force";
pub const SITES_LIST: &str = "stella feedser sites list";
pub const HISTORY_10: &str = "stella feedser sites history site-us-east-1 --limit 10";
pub const POLICY_DISABLE: &str = "stella feedser sites policy site-us-east-1 --enabled false";
pub const EXPORT_DELTA: &str =
    r#"stella feedser bundle export -c "2025-01-14T00:00:00Z#0000" -o ./delta-2025-01-15.zst"#;
pub const IMPORT_DELTA: &str = "stella feedser bundle import ./delta-2025-01-15.zst";
pub const EXPORT_FULL: &str = "stella feedser bundle export -o ./full-sync.zst";
pub const IMPORT_FULL: &str = "stella feedser bundle import ./full-sync.zst";
pub const EXPORT_SINCE_NOTED: &str = r#"stella feedser bundle export -c "{cursor}" -o ./delta.zst"#;
pub const VALIDATE: &str = "stella feedser bundle validate ./bundle.zst";
pub const PREVIEW_JSON: &str = "stella feedser bundle import ./bundle.zst --dry-run --json";
pub const SITES_STATUS: &str = "stella feedser sites status site-us-east-1";
pub const HISTORY_5: &str = "stella feedser sites history site-us-east-1 --limit 5";
pub const CANONICAL_GET: &str = "stella feedser canonical get sha256:mergehash...";

/// Every line above: the walk must run each of them.
pub const ALL: &[&str] = &[
    SITES_ADD,
    SITES_POLICY,
    KEYS_GENERATE,
    KEYS_EXPORT,
    IMPORT,
    IMPORT_DRY_RUN,
    IMPORT_STDIN,
    IMPORT_SKIP_SIGNATURE,
    IMPORT_FORCE,
    SITES_LIST,
    HISTORY_10,
    POLICY_DISABLE,
    EXPORT_DELTA,
    IMPORT_DELTA,
    EXPORT_FULL,
    IMPORT_FULL,
    EXPORT_SINCE_NOTED,
    VALIDATE,
    PREVIEW_JSON,
    SITES_STATUS,
    HISTORY_5,
    CANONICAL_GET,
];

#[test]
fn the_list_is_every_shell_line_of_the_document() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/seed/federation-setup-and-operations.md");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "skipped: `{}` is not present (the document lives in ../shared)",
            path.display()
        );
        return;
    };
    let found: BTreeSet<String> = bash_blocks(&text).flat_map(commands).collect();
    let listed: BTreeSet<String> = ALL.iter().map(|l| (*l).to_owned()).collect();
    assert_eq!(found, listed);
}

/// The bodies of the document's ```` ```bash ```` blocks.
fn bash_blocks(text: &str) -> impl Iterator<Item = &str> {
    text.split("```bash")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
}

/// The commands of one block: continuations joined, comments dropped. The
/// document's newlines may be folded into spaces, so a command is found by
/// where it starts (`stella ` or `cat `, unless piped into) and ends at a
/// comment (` # `) or the next command.
fn commands(block: &str) -> Vec<String> {
    let flat = block
        .replace("\\\n", " ")
        .replace(" \\ ", " ")
        .replace('\n', " ");
    let starts: Vec<usize> = flat
        .match_indices("stella ")
        .chain(flat.match_indices("cat "))
        .map(|(i, _)| i)
        .filter(|&i| !flat[..i].trim_end().ends_with('|'))
        .filter(|&i| i == 0 || flat.as_bytes()[i - 1] == b' ')
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let ends = starts.iter().skip(1).copied().chain([flat.len()]);
    starts
        .iter()
        .zip(ends)
        .map(|(&start, end)| {
            let line = &flat[start..end];
            let line = line.split(" # ").next().unwrap_or(line);
            line.split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .collect()
}

#[test]
fn commands_are_found_in_folded_and_unfolded_blocks() {
    let folded = r#" # Add trusted site stella feedser sites add x \ --enabled # Pipe cat b.zst | stella feedser bundle import - # done "#;
    let unfolded = "# Add trusted site\nstella feedser sites add x \\\n  --enabled\n# Pipe\ncat b.zst | stella feedser bundle import -\n";
    let expected = [
        "stella feedser sites add x --enabled",
        "cat b.zst | stella feedser bundle import -",
    ];
    assert_eq!(commands(folded), expected);
    assert_eq!(commands(unfolded), expected);
}
