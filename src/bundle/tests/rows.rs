//! The row reader's own pieces: advisory keys and bounded lines.

use super::super::rows::is_advisory_key;
use super::super::rows::reader::LineReader;
use super::super::{BundleError, Member};

#[test]
fn advisory_keys() {
    for ok in [
        "CVE-2024-1234",
        "CVE-2021-44228",
        "PYSEC-2021-1",
        "GHSA-xxxx-yyyy-zzzz",
    ] {
        assert!(is_advisory_key(ok), "{ok}");
    }
    for bad in [
        "",
        "CVE-24-1234",
        "CVE-2024-12",
        "cve-2024-1234",
        "CVE-2024-1234x",
        "A B",
        "é",
    ] {
        assert!(!is_advisory_key(bad), "{bad}");
    }
    assert!(!is_advisory_key(&"A".repeat(129)));
}

#[test]
fn reads_bounded_canonical_lines() {
    let dir = tempfile::tempdir().unwrap();
    let body = "{\"a\":1}\n{\"a\": 2}\n{\"a\":3}";
    std::fs::write(dir.path().join("edges.ndjson"), body).unwrap();
    let mut r = LineReader::open(dir.path(), Member::Edges, 64, 64).unwrap();
    let (line, v): (u64, serde_json::Value) = r.next_row().unwrap().unwrap();
    assert_eq!((line, v), (1, serde_json::json!({"a": 1})));
    assert!(matches!(
        r.next_row::<serde_json::Value>(),
        Err(BundleError::NonCanonicalRow { line: 2, .. })
    ));
    assert!(matches!(
        r.next_row::<serde_json::Value>(),
        Err(BundleError::MissingFinalNewline { .. })
    ));
    let mut r = LineReader::open(dir.path(), Member::Edges, 7, 64).unwrap();
    assert!(matches!(
        r.next_row::<serde_json::Value>(),
        Err(BundleError::LineTooLong {
            line: 1,
            limit: 7,
            ..
        })
    ));
}
