//! The merge hash: a versioned, normalized identity of a canonical advisory.
//!
//! Two sites that see the same advisory for the same package, however the
//! source spelled it (PURL case, range event order, CWE case and order), must
//! derive the same hash, so every input is normalized first and then written
//! in one unambiguous byte form (`man/stella-merge-hash.7` is the spec):
//!
//! ```text
//! stella-merge-hash/v1\n
//! cve <len>:<CVE>\n
//! affects_key <len>:<key>\n
//! ranges <count>\n
//!   type <len>:<TYPE>\n  then  repo <len>:<url>\n  or  repo -\n
//!   events <count>\n  then per event  <kind> <len>:<value>\n
//! weaknesses <count>\n  then per CWE  cwe <len>:<CWE-n>\n
//! lineage <count>\n  then per commit  commit <len>:<hex>\n
//! ```
//!
//! `<len>` is the decimal byte length of the value, so no value can be
//! mistaken for framing. Changing any of this is a new version string.

use super::{RangeEvent, VersionRange, sha256_tagged};

pub const MERGE_HASH_VERSION: &str = "stella-merge-hash/v1";

/// Events sorted and unique within each range, ranges sorted and unique,
/// types uppercase, GIT repos without a trailing `/` or `.git`, GIT commit
/// ids lowercase.
pub fn normalize_ranges(ranges: &[VersionRange]) -> Vec<VersionRange> {
    let mut out: Vec<VersionRange> = ranges.iter().map(normalize_range).collect();
    out.sort();
    out.dedup();
    out
}

fn normalize_range(range: &VersionRange) -> VersionRange {
    let range_type = range.range_type.trim().to_ascii_uppercase();
    let git = range_type == "GIT";
    let repo = range.repo.as_deref().map(|r| {
        let r = r.trim().trim_end_matches('/');
        r.strip_suffix(".git")
            .unwrap_or(r)
            .trim_end_matches('/')
            .to_owned()
    });
    let mut events: Vec<RangeEvent> = range
        .events
        .iter()
        .map(|e| normalize_event(e, git))
        .collect();
    events.sort();
    events.dedup();
    VersionRange {
        range_type,
        repo,
        events,
    }
}

fn normalize_event(event: &RangeEvent, git: bool) -> RangeEvent {
    let clean = |v: &String| {
        let v = v.trim();
        if git && is_hex(v) {
            v.to_ascii_lowercase()
        } else {
            v.to_owned()
        }
    };
    match event {
        RangeEvent::Introduced(v) => RangeEvent::Introduced(clean(v)),
        RangeEvent::Fixed(v) => RangeEvent::Fixed(clean(v)),
        RangeEvent::LastAffected(v) => RangeEvent::LastAffected(clean(v)),
        RangeEvent::Limit(v) => RangeEvent::Limit(clean(v)),
    }
}

/// `CWE-<n>` ids, trimmed and case-folded, sorted by number, unique; other strings dropped.
pub fn normalize_weaknesses(weaknesses: &[String]) -> Vec<String> {
    let mut ids: Vec<u64> = weaknesses
        .iter()
        .filter_map(|w| {
            let w = w.trim().to_ascii_uppercase();
            let digits = w.strip_prefix("CWE-")?;
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            digits.parse().ok()
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter().map(|n| format!("CWE-{n}")).collect()
}

/// Commit ids lowercased, sorted, unique; entries that are not hex dropped.
pub fn normalize_lineage(lineage: &[String]) -> Vec<String> {
    let mut out: Vec<String> = lineage
        .iter()
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| is_hex(c))
        .collect();
    out.sort();
    out.dedup();
    out
}

fn is_hex(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `sha256:<hex>` of the normalized identity; `affects_key` must already be
/// normalized (see [`super::purl::normalize`]).
pub fn compute(
    cve: &str,
    affects_key: &str,
    ranges: &[VersionRange],
    weaknesses: &[String],
    patch_lineage: &[String],
) -> String {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(MERGE_HASH_VERSION.as_bytes());
    out.push(b'\n');
    field(&mut out, "cve", &cve.trim().to_ascii_uppercase());
    field(&mut out, "affects_key", affects_key);
    let ranges = normalize_ranges(ranges);
    count(&mut out, "ranges", ranges.len());
    for range in &ranges {
        field(&mut out, "type", &range.range_type);
        match &range.repo {
            Some(repo) => field(&mut out, "repo", repo),
            None => out.extend_from_slice(b"repo -\n"),
        }
        count(&mut out, "events", range.events.len());
        for event in &range.events {
            let (kind, value) = match event {
                RangeEvent::Introduced(v) => ("introduced", v),
                RangeEvent::Fixed(v) => ("fixed", v),
                RangeEvent::LastAffected(v) => ("last_affected", v),
                RangeEvent::Limit(v) => ("limit", v),
            };
            field(&mut out, kind, value);
        }
    }
    list(
        &mut out,
        "weaknesses",
        "cwe",
        &normalize_weaknesses(weaknesses),
    );
    list(
        &mut out,
        "lineage",
        "commit",
        &normalize_lineage(patch_lineage),
    );
    sha256_tagged(&out)
}

fn field(out: &mut Vec<u8>, tag: &str, value: &str) {
    out.extend_from_slice(format!("{tag} {}:", value.len()).as_bytes());
    out.extend_from_slice(value.as_bytes());
    out.push(b'\n');
}

fn count(out: &mut Vec<u8>, tag: &str, n: usize) {
    out.extend_from_slice(format!("{tag} {n}\n").as_bytes());
}

fn list(out: &mut Vec<u8>, tag: &str, item_tag: &str, items: &[String]) {
    count(out, tag, items.len());
    for item in items {
        field(out, item_tag, item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::purl;

    fn range(ty: &str, repo: Option<&str>, events: Vec<RangeEvent>) -> VersionRange {
        VersionRange {
            range_type: ty.into(),
            repo: repo.map(Into::into),
            events,
        }
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    /// (cve, affects_key, ranges, weaknesses, lineage, merge hash).
    type Vector = (
        &'static str,
        &'static str,
        Vec<VersionRange>,
        Vec<String>,
        Vec<String>,
        &'static str,
    );

    /// The vectors of `man/stella-merge-hash.7`, section TEST VECTORS.
    fn vectors() -> Vec<Vector> {
        use RangeEvent::*;
        vec![
            (
                "CVE-2021-1234",
                "pkg:pypi/trac",
                vec![],
                vec![],
                vec![],
                "sha256:47b68fca5db81cf0520d05312024ccc7a248e4f91272ef6c905cfe5f7f104890",
            ),
            (
                "CVE-2023-0001",
                "pkg:pypi/django",
                vec![range(
                    "ECOSYSTEM",
                    None,
                    vec![Introduced("0".into()), Fixed("4.2.1".into())],
                )],
                strings(&["CWE-79"]),
                vec![],
                "sha256:b0b30ef7d093e7c3a696cb9d304571c98941495b59eca8ab33dd2062cc1c94fd",
            ),
            (
                "PYSEC-2023-1",
                "pkg:npm/%40angular/core",
                vec![
                    range(
                        "GIT",
                        Some("https://github.com/a/b"),
                        vec![Introduced("0".into()), Fixed("abc123".into())],
                    ),
                    range(
                        "SEMVER",
                        None,
                        vec![Introduced("1.0.0".into()), LastAffected("1.2.0".into())],
                    ),
                ],
                strings(&["CWE-20", "CWE-79"]),
                strings(&["abc123", "def456"]),
                "sha256:9465a0d18e2e009c44b95ffbec41e0e32de9adcc4ea7ceee93fc0eab6f04be41",
            ),
        ]
    }

    #[test]
    fn matches_the_vectors_of_the_man_page() {
        let page = include_str!("../../man/stella-merge-hash.7");
        for (cve, key, ranges, cwes, lineage, want) in vectors() {
            assert_eq!(compute(cve, key, &ranges, &cwes, &lineage), want, "{cve}");
            assert!(page.contains(want), "man page lacks {want}");
            assert!(
                page.contains(cve) && page.contains(key),
                "man page lacks {cve} {key}"
            );
        }
        // The page's closing example: vector 2 spelled differently.
        let events = vec![
            RangeEvent::Fixed("4.2.1".into()),
            RangeEvent::Introduced("0".into()),
        ];
        let respelled = compute(
            "cve-2023-0001",
            "pkg:pypi/django",
            &[range("ECOSYSTEM", None, events)],
            &strings(&[" cwe-79 "]),
            &[],
        );
        assert_eq!(respelled, vectors()[1].5);
    }

    #[test]
    fn same_advisory_spelled_differently_hashes_the_same() {
        use RangeEvent::*;
        let a = compute(
            "CVE-2023-0001",
            &purl::normalize("pkg:pypi/Django_Utils@4.0").unwrap(),
            &[
                range(
                    "ecosystem",
                    None,
                    vec![Introduced("0".into()), Fixed("4.2.1".into())],
                ),
                range(
                    "GIT",
                    Some("https://github.com/d/d.git/"),
                    vec![Fixed("ABCDEF".into())],
                ),
            ],
            &strings(&["cwe-79", " CWE-20 ", "CWE-79"]),
            &strings(&["ABC123", "def456"]),
        );
        let b = compute(
            " cve-2023-0001",
            &purl::normalize("pkg:/PYPI/django-utils?x=y").unwrap(),
            &[
                range(
                    "GIT",
                    Some("https://github.com/d/d"),
                    vec![Fixed("abcdef".into()), Fixed("abcdef".into())],
                ),
                range(
                    "ECOSYSTEM",
                    None,
                    vec![Fixed("4.2.1".into()), Introduced("0".into())],
                ),
            ],
            &strings(&["CWE-20", "CWE-79", "NVD-CWE-Other"]),
            &strings(&["def456", "abc123"]),
        );
        assert_eq!(a, b);
        let c = compute("CVE-2023-0001", "pkg:pypi/django-utils", &[], &[], &[]);
        assert_ne!(a, c);
    }

    #[test]
    fn framing_keeps_fields_apart() {
        let a = compute("CVE-1", "pkg:pypi/a\ncve 1:x", &[], &[], &[]);
        let b = compute("CVE-1", "pkg:pypi/a", &[], &[], &[]);
        assert_ne!(a, b);
        let moved = compute("CVE-1", "", &[], &[], &strings(&["ab"]));
        let kept = compute("CVE-1", "ab", &[], &[], &[]);
        assert_ne!(moved, kept);
        assert!(a.starts_with("sha256:") && a.len() == 71);
    }

    #[test]
    fn normalizes_ranges() {
        use RangeEvent::*;
        let got = normalize_ranges(&[
            range(
                " git ",
                Some(" https://g/x.git/ "),
                vec![Fixed("AB".into()), Introduced("0".into())],
            ),
            range(
                "ECOSYSTEM",
                None,
                vec![Fixed("2".into()), Introduced("1".into()), Fixed("2".into())],
            ),
            range(
                "ECOSYSTEM",
                None,
                vec![Introduced("1".into()), Fixed("2".into())],
            ),
        ]);
        assert_eq!(
            got,
            vec![
                range(
                    "ECOSYSTEM",
                    None,
                    vec![Introduced("1".into()), Fixed("2".into())]
                ),
                range(
                    "GIT",
                    Some("https://g/x"),
                    vec![Introduced("0".into()), Fixed("ab".into())]
                ),
            ]
        );
    }

    #[test]
    fn normalizes_weaknesses_and_lineage() {
        let cwes = strings(&[
            "cwe-79",
            " CWE-79 ",
            "CWE-9",
            "CWE-020",
            "NVD-CWE-Other",
            "CWE-",
            "CWE-1x",
        ]);
        assert_eq!(
            normalize_weaknesses(&cwes),
            strings(&["CWE-9", "CWE-20", "CWE-79"])
        );
        let commits = strings(&[" ABC ", "abc", "0f", "not-hex", ""]);
        assert_eq!(normalize_lineage(&commits), strings(&["0f", "abc"]));
    }
}
