//! Source names: the advisory database a record comes from, named as
//! operators name it (`--allowed-sources nvd,ghsa,debian`), from a table of
//! id prefixes (README, "Sources"; `man/stella-feedser-ingest-osv.1` shows
//! the flag). A record whose id the table does not know takes the name given
//! with `ingest osv --source`, else the lowercased prefix of its id.
//!
//! Invariants:
//! - The source is part of an edge (and of the edge id), never of a merge
//!   hash: renaming a source changes no canonical's identity.
//! - Every name is a valid `--allowed-sources` entry (lowercase ASCII
//!   letters, digits, `-`, `_`); a unit test checks the table.
//! - A prefix is the part of the id before its first `-`, except the two
//!   SUSE forms `SUSE-SU`… and `openSUSE-SU`…, which keep their second part.

/// Id prefix → source name; prefixes compared ignoring ASCII case.
pub const SOURCES: &[(&str, &str)] = &[
    ("ALBA", "almalinux"),
    ("ALEA", "almalinux"),
    ("ALPINE", "alpine"),
    ("ALSA", "almalinux"),
    ("ASB", "android"),
    ("AZL", "azure-linux"),
    ("BELL", "bellsoft"),
    ("BIT", "bitnami"),
    ("CGA", "chainguard"),
    ("CLEANSTART", "cleanstart"),
    ("CURL", "curl"),
    ("CVE", "nvd"),
    ("DEBIAN", "debian"),
    ("DHI", "docker"),
    ("DLA", "debian"),
    ("DSA", "debian"),
    ("DTSA", "debian"),
    ("ECHO", "echo"),
    ("ELBA", "oracle"),
    ("ELSA", "oracle"),
    ("GHSA", "ghsa"),
    ("GO", "go"),
    ("GSD", "gsd"),
    ("HSEC", "haskell"),
    ("JLSEC", "julia"),
    ("LSN", "ubuntu"),
    ("MAL", "malicious-packages"),
    ("MGASA", "mageia"),
    ("MINI", "minimos"),
    ("OESA", "openeuler"),
    ("openSUSE-RU", "opensuse"),
    ("openSUSE-SU", "opensuse"),
    ("OSV", "oss-fuzz"),
    ("PHSA", "photon"),
    ("PUB", "android"),
    ("PYSEC", "pypa"),
    ("RHBA", "redhat"),
    ("RHEA", "redhat"),
    ("RHSA", "redhat"),
    ("RLBA", "rocky"),
    ("RLEA", "rocky"),
    ("RLSA", "rocky"),
    ("ROOT", "root"),
    ("RSEC", "r-consortium"),
    ("RUSTSEC", "rustsec"),
    ("SUSE-FU", "suse"),
    ("SUSE-OU", "suse"),
    ("SUSE-RU", "suse"),
    ("SUSE-SU", "suse"),
    ("UBUNTU", "ubuntu"),
    ("USN", "ubuntu"),
];

/// The source of a record id from the table, if it knows the prefix.
pub fn known_source(id: &str) -> Option<&'static str> {
    let (first, rest) = id.split_once('-').unwrap_or((id, ""));
    let second = rest.split('-').next().unwrap_or("");
    let two = format!("{first}-{second}");
    SOURCES
        .iter()
        .find(|(prefix, _)| prefix.eq_ignore_ascii_case(first) || prefix.eq_ignore_ascii_case(&two))
        .map(|(_, name)| *name)
}

/// The source of a record: the table's name, else `fallback` (`--source`),
/// else the lowercased prefix of its id (`PYSEC-…` → `pypa`, `XYZ-1` → `xyz`).
pub fn source_named(id: &str, fallback: Option<&str>) -> String {
    if let Some(name) = known_source(id) {
        return name.to_owned();
    }
    if let Some(name) = fallback {
        return name.to_owned();
    }
    let prefix = id.split('-').next().unwrap_or(id);
    prefix.to_ascii_lowercase()
}

/// [`source_named`] without a `--source`.
pub fn source_of(id: &str) -> String {
    source_named(id, None)
}

/// Every name of the table, sorted, unique.
pub fn source_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = SOURCES.iter().map(|(_, name)| *name).collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// Whether `name` can name a source: 1 to 64 lowercase ASCII letters,
/// digits, `-` or `_`, as `--allowed-sources` takes them.
pub fn is_source_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// `Err` with the message for the user when a name of `names` is neither in
/// the table nor among `held` (the sources of the store's edges).
pub fn check_known(names: &[String], held: &[String]) -> Result<(), String> {
    let unknown: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| !source_names().contains(n) && !held.iter().any(|h| h == n))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    let mut known: Vec<&str> = source_names();
    known.extend(held.iter().map(String::as_str));
    known.sort_unstable();
    known.dedup();
    Err(format!(
        "unknown source{} {}: use names of the table of sources or of edges this store holds: {}",
        if unknown.len() == 1 { "" } else { "s" },
        unknown
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", "),
        known.join(", ")
    ))
}

/// The names stella guessed before the table (the lowercased id prefix)
/// where the table names the source otherwise, with the table's name:
/// stores and bundles written by those versions hold edges named so.
/// Frozen: the store migrations that rename them spell this list out
/// (a unit test checks each pair against the table).
pub const GUESSED: &[(&str, &str)] = &[
    ("alba", "almalinux"),
    ("alea", "almalinux"),
    ("alsa", "almalinux"),
    ("asb", "android"),
    ("azl", "azure-linux"),
    ("bell", "bellsoft"),
    ("bit", "bitnami"),
    ("cga", "chainguard"),
    ("dhi", "docker"),
    ("dla", "debian"),
    ("dsa", "debian"),
    ("dtsa", "debian"),
    ("elba", "oracle"),
    ("elsa", "oracle"),
    ("hsec", "haskell"),
    ("jlsec", "julia"),
    ("lsn", "ubuntu"),
    ("mal", "malicious-packages"),
    ("mgasa", "mageia"),
    ("mini", "minimos"),
    ("oesa", "openeuler"),
    ("osv", "oss-fuzz"),
    ("phsa", "photon"),
    ("pub", "android"),
    ("rhba", "redhat"),
    ("rhea", "redhat"),
    ("rhsa", "redhat"),
    ("rlba", "rocky"),
    ("rlea", "rocky"),
    ("rlsa", "rocky"),
    ("rsec", "r-consortium"),
    ("usn", "ubuntu"),
];

/// The table's name for an edge an older stella named by guessing
/// (`bit` for `BIT-…`), `None` when `source` is no such guess for `id`.
pub fn renamed_guess(source: &str, id: &str) -> Option<&'static str> {
    let (_, name) = GUESSED.iter().find(|(old, _)| *old == source)?;
    let prefix = id.split('-').next().unwrap_or(id);
    (id.contains('-') && prefix.eq_ignore_ascii_case(source)).then_some(*name)
}
