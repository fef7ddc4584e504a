//! The sections clap does not write, added to every section-1 page: EXIT
//! STATUS, ENVIRONMENT, FILES, EXAMPLES and SEE ALSO (#27).
//!
//! Invariant: everything comes from data in code (the exit table, the clap
//! arguments' `env`, the home layout below, `examples`), so the pages in
//! `man/` drift only when the code does, and the drift test catches that.

use clap::Command;
use roff::{Roff, bold, italic, roman};

use crate::exit::Exit;

/// What each exit code means; the match is exhaustive, so a new code
/// cannot be left out of the pages.
fn meaning(exit: Exit) -> &'static str {
    match exit {
        Exit::Success => "done; also a replayed bundle and an empty delta",
        Exit::Failure => "I/O or another unexpected failure",
        Exit::Usage => "bad command line, including a malformed cursor",
        Exit::Config => "home not initialized, config invalid or unsafe, or federation disabled",
        Exit::BundleInvalid => "bundle malformed, corrupt, truncated or over a limit",
        Exit::SignatureInvalid => {
            "unsigned where required, bad signature, untrusted or revoked key"
        }
        Exit::PolicyRefused => "unknown, removed, disabled or not allowed site; bundle too large",
        Exit::CursorRefused => "cursor not after current, or missing delta",
        Exit::Conflict => "conflicts under --on-conflict fail; nothing written",
        Exit::PartialIngest => "ingest osv refused a record (the rest were applied)",
        Exit::Store => "the store could not be opened, is busy, needs db migrate, or failed",
        Exit::Key => "a key could not be created, found or unlocked",
        Exit::NotFound => "the canonical, site, key or quarantine entry does not exist",
        Exit::Stale => "sites status --check: the last import is older than the budget",
        Exit::AuditBroken => "audit verify: the audit log was edited, reordered or cut",
        Exit::Unhealthy => "doctor: at least one check failed",
        Exit::Interrupted => "stopped by SIGINT; nothing was committed",
        Exit::Terminated => "stopped by SIGTERM; nothing was committed",
    }
}

/// Variables stella reads that no flag stands for.
const OTHER_ENV: [(&str, &str); 2] = [
    (
        "XDG_DATA_HOME, HOME",
        "without --home or STELLA_HOME, the home is $XDG_DATA_HOME/stella, else ~/.local/share/stella",
    ),
    (
        "PGPASSFILE",
        "where a PostgreSQL password is looked up (default ~/.pgpass)",
    ),
];

/// The home's layout (see README "Configuration").
const FILES: [(&str, &str); 10] = [
    (
        "HOME/concelier.yaml",
        "the site configuration; see concelier.yaml(5)",
    ),
    (
        "HOME/stella.db",
        "the embedded SQLite store (absent with PostgreSQL)",
    ),
    (
        "HOME/journal.db",
        "the import journal: imports under way or abandoned",
    ),
    (
        "HOME/keys/",
        "signing keys (0700; private keys 0600, PKCS#8)",
    ),
    ("HOME/lock", "the writer lock: who holds it"),
    (
        "HOME/quarantine/",
        "refused bundles, with why; see feedser quarantine",
    ),
    (
        "HOME/audit.log",
        "one hash-chained NDJSON record per import attempt",
    ),
    (
        "HOME/audit.head",
        "the last record's seal, to detect a cut log",
    ),
    (
        "HOME/staging/",
        "short-lived spools of the import under way",
    ),
    ("HOME/spool/", "short-lived spools of the export under way"),
];

/// The extra sections of the page of `cmd`, whose path below `stella` is
/// `path` ("" for `stella` itself) and whose parent page is `parent`.
pub fn render(cmd: &Command, path: &str, parent: Option<&str>) -> String {
    let mut roff = Roff::new();
    exit_status(&mut roff, path);
    environment(&mut roff, cmd);
    files(&mut roff);
    examples(&mut roff, path);
    see_also(&mut roff, cmd, path, parent);
    let text = roff.render();
    let preamble = Roff::new().render();
    text.strip_prefix(&preamble).unwrap_or(&text).to_owned()
}

fn item(roff: &mut Roff, term: &str, text: &str) {
    roff.control("TP", [])
        .text([bold(term)])
        .text([roman(text)]);
}

/// The codes a command can return, where that is known for certain: it
/// opens no home, store or bundle. Every other page lists the whole table.
fn known_exits(path: &str) -> Option<&'static [Exit]> {
    match path {
        "completions" => Some(&[Exit::Success, Exit::Failure, Exit::Usage]),
        _ => None,
    }
}

fn exit_status(roff: &mut Roff, path: &str) {
    roff.control("SH", ["EXIT STATUS"]);
    let exits = known_exits(path).unwrap_or(&Exit::ALL);
    if exits.len() < Exit::ALL.len() {
        roff.text([roman("This command can exit with these codes only:")]);
    }
    for exit in exits {
        item(roff, &format!("{} ({exit:?})", exit.code()), meaning(*exit));
    }
}

fn environment(roff: &mut Roff, cmd: &Command) {
    roff.control("SH", ["ENVIRONMENT"]);
    for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
        let (Some(env), Some(long)) = (arg.get_env(), arg.get_long()) else {
            continue;
        };
        let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
        item(
            roff,
            &env.to_string_lossy(),
            &format!("as --{long}: {help}"),
        );
    }
    for (name, text) in OTHER_ENV {
        item(roff, name, text);
    }
}

fn files(roff: &mut Roff) {
    roff.control("SH", ["FILES"]);
    roff.text([roman(
        "HOME is --home, STELLA_HOME, or the default under XDG_DATA_HOME.",
    )]);
    for (file, text) in FILES {
        item(roff, file, text);
    }
}

fn examples(roff: &mut Roff, path: &str) {
    let examples = super::examples::of(path);
    if examples.is_empty() {
        return;
    }
    roff.control("SH", ["EXAMPLES"]);
    for (line, what) in examples {
        roff.control("TP", []).text([roman(*what)]);
        roff.control("nf", []).text([bold(*line)]).control("fi", []);
    }
}

fn see_also(roff: &mut Roff, cmd: &Command, path: &str, parent: Option<&str>) {
    let mut pages: Vec<String> = parent.map(|p| format!("{p}(1)")).into_iter().collect();
    let name = page_name(path);
    let subs = cmd.get_subcommands().filter(|s| !s.is_hide_set());
    pages.extend(subs.map(|s| format!("{name}-{}(1)", s.get_name())));
    if path.contains("bundle") || path.is_empty() {
        pages.push("stella-bundle(5)".into());
    }
    if path.contains("osv") || path.is_empty() {
        pages.push("stella-osv-export(5)".into());
        pages.push("stella-merge-hash(7)".into());
    }
    pages.push("concelier.yaml(5)".into());
    roff.control("SH", ["SEE ALSO"]);
    let mut inlines = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        if i > 0 {
            inlines.push(roman(", "));
        }
        inlines.push(italic(page.as_str()));
    }
    roff.text(inlines);
}

/// `stella-feedser-sites` for the path `feedser sites`.
pub fn page_name(path: &str) -> String {
    std::iter::once("stella")
        .chain(path.split_whitespace())
        .collect::<Vec<_>>()
        .join("-")
}
