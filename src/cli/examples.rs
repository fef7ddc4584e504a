//! The EXAMPLES of each section-1 man page: command lines an operator can
//! paste, one list per command path ("" is `stella` itself).
//!
//! Invariant: every line parses with the clap definition (a unit test runs
//! each through `Cli::try_parse_from`, after dropping a trailing `# comment`
//! and shell redirections), and every visible leaf command has at least one
//! example, so a renamed flag or a new command cannot leave the pages stale.

/// (command path, [(command line, what it does)]).
pub type Examples = &'static [(&'static str, &'static str)];

pub const EXAMPLES: &[(&str, Examples)] = &[
    (
        "",
        &[
            (
                "stella init --site-id site-a",
                "create a home for site `site-a`",
            ),
            (
                "stella --home /srv/stella feedser sites list",
                "use another home",
            ),
        ],
    ),
    (
        "init",
        &[
            (
                "stella init --site-id site-a",
                "a home on the embedded SQLite store",
            ),
            (
                "stella --database-url postgresql://stella@db:5432/concelier init --site-id site-hq",
                "a home whose store is PostgreSQL",
            ),
        ],
    ),
    (
        "authority keys generate",
        &[(
            "stella authority keys generate --name fed",
            "the federation signing key",
        )],
    ),
    (
        "authority keys list",
        &[("stella authority keys list", "every key and its status")],
    ),
    (
        "authority keys export",
        &[(
            "stella authority keys export fed --public > site-a.pub.pem",
            "the public key, for peers",
        )],
    ),
    (
        "authority keys default",
        &[(
            "stella authority keys default fed-2026",
            "sign plain exports with another key",
        )],
    ),
    (
        "authority keys retire",
        &[(
            "stella authority keys retire fed",
            "stop signing with a key, keep its public half",
        )],
    ),
    (
        "feedser ingest osv",
        &[
            (
                "stella feedser ingest osv ./osv-snapshot",
                "take an OSV snapshot directory",
            ),
            (
                "stella feedser ingest osv ./osv-snapshot --prune",
                "also withdraw records gone from the snapshot",
            ),
        ],
    ),
    (
        "feedser canonical list",
        &[(
            "stella feedser canonical list --cve CVE-2021-3532",
            "the canonicals of one CVE",
        )],
    ),
    (
        "feedser canonical get",
        &[(
            "stella feedser canonical get sha256:3f1e0c5b9d2a4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f --json",
            "one canonical with its edges, by merge hash",
        )],
    ),
    (
        "feedser events",
        &[(
            "stella feedser events --since 0 --json",
            "the canonical-imported events",
        )],
    ),
    (
        "feedser export osv",
        &[(
            "stella feedser export osv /srv/osv-cache/osv-scanner",
            "the offline OSV database for scanners",
        )],
    ),
    (
        "feedser bundle export",
        &[
            (
                "stella feedser bundle export -o full.tar.zst",
                "a full export",
            ),
            (
                "stella feedser bundle export --for site-b -c 2025-01-15T10:30:00Z#0042 -o for-b.tar.zst",
                "the delta after the cursor site B reported",
            ),
        ],
    ),
    (
        "feedser bundle import",
        &[
            (
                "stella feedser bundle import from-a.tar.zst",
                "import a peer's bundle",
            ),
            (
                "stella feedser bundle import from-a.tar.zst --dry-run --json",
                "check and plan, commit nothing",
            ),
        ],
    ),
    (
        "feedser bundle validate",
        &[(
            "stella feedser bundle validate from-a.tar.zst",
            "check a bundle without importing it",
        )],
    ),
    (
        "feedser sites add",
        &[(
            "stella feedser sites add site-a --display-name \"Site A\" --key site-a.pub.pem",
            "register a peer and its key",
        )],
    ),
    (
        "feedser sites list",
        &[("stella feedser sites list", "the registered sites")],
    ),
    (
        "feedser sites policy",
        &[
            (
                "stella feedser sites policy site-a --allowed-sources nvd,ghsa",
                "take only these sources from site A",
            ),
            (
                "stella feedser sites policy site-a --enabled false",
                "refuse site A's bundles for now",
            ),
        ],
    ),
    (
        "feedser sites history",
        &[(
            "stella feedser sites history site-a --limit 5",
            "the last imports from site A",
        )],
    ),
    (
        "feedser sites status",
        &[
            (
                "stella feedser sites status site-a --json",
                "where this site stands with site A",
            ),
            (
                "stella feedser sites status --check",
                "fail (exit 13) when a site is stale",
            ),
        ],
    ),
    (
        "feedser sites remove",
        &[(
            "stella feedser sites remove site-a",
            "refuse site A from now on, keep its history",
        )],
    ),
    (
        "feedser sync pull",
        &[
            (
                "stella feedser sync pull site-hq --from http://hq:8080 --token-file /etc/stella/api.token",
                "import everything the hub has after this site's cursor, every part",
            ),
            (
                "stella feedser sync pull site-hq --from http://hq:8080 --json",
                "the same, with the report as JSON",
            ),
        ],
    ),
    (
        "feedser sync push",
        &[(
            "stella feedser sync push site-hq --to http://hq:8080 --token-file /etc/stella/api.token",
            "send the hub this site's changes after the hub's cursor for it",
        )],
    ),
    (
        "feedser journal status",
        &[(
            "stella feedser journal status",
            "imports under way or abandoned",
        )],
    ),
    (
        "feedser journal gc",
        &[(
            "stella feedser journal gc --older-than 30 --dry-run",
            "what a clean-up would remove",
        )],
    ),
    (
        "feedser quarantine list",
        &[("stella feedser quarantine list", "the refused bundles kept")],
    ),
    (
        "feedser quarantine show",
        &[(
            "stella feedser quarantine show 20250115T103015Z-ab12cd34",
            "why a bundle was refused",
        )],
    ),
    (
        "feedser quarantine retry",
        &[(
            "stella feedser quarantine retry 20250115T103015Z-ab12cd34",
            "import a quarantined bundle again",
        )],
    ),
    (
        "feedser quarantine purge",
        &[(
            "stella feedser quarantine purge --older-than 30",
            "drop old quarantined bundles",
        )],
    ),
    (
        "feedser serve",
        &[(
            "stella feedser serve --listen 127.0.0.1:8080 --token-file /etc/stella/api.token",
            "the HTTP API",
        )],
    ),
    (
        "db migrate",
        &[("stella db migrate", "create or upgrade the store's schema")],
    ),
    (
        "audit verify",
        &[("stella audit verify", "check the hash chain of audit.log")],
    ),
    (
        "audit acknowledge",
        &[(
            "stella audit acknowledge --reason \"disk replaced; ticket 42\"",
            "accept a break of the audit chain",
        )],
    ),
    (
        "doctor",
        &[(
            "stella doctor --json",
            "check the home, store, keys and clock",
        )],
    ),
    (
        "completions",
        &[(
            "stella completions bash > ~/.local/share/bash-completion/completions/stella",
            "bash completion",
        )],
    ),
];

/// The examples of the command at `path` (words after `stella`).
pub fn of(path: &str) -> Examples {
    EXAMPLES
        .iter()
        .find(|(p, _)| *p == path)
        .map_or(&[], |(_, e)| e)
}

/// A command line as clap sees it: shell words up to a redirection or
/// comment, with double quotes taken off (no expansion is needed here).
pub fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let (mut word, mut quoted, mut any) = (String::new(), false, false);
    for ch in line.chars() {
        match ch {
            '"' => (quoted, any) = (!quoted, true),
            ' ' if !quoted => {
                if any || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                any = false;
            }
            _ => word.push(ch),
        }
    }
    if any || !word.is_empty() {
        words.push(word);
    }
    let end = words.iter().position(|w| w.starts_with(['>', '#', '|']));
    words.truncate(end.unwrap_or(words.len()));
    words
}
