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
    let page = include_str!("../../../man/stella-merge-hash.7");
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
