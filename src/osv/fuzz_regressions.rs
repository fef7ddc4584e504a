//! Regressions found by the `osv_parser` fuzz target (`fuzz/`): each test is
//! named after what it found; inputs that need their exact bytes live in
//! `fuzz/regressions/osv_parser/`.

use super::*;
use crate::bundle::is_advisory_key;

fn record(id: &str, aliases: &str) -> String {
    let id = serde_json::to_string(id).unwrap();
    format!(
        r#"{{"id":{id},"aliases":[{aliases}],"affected":[{{"package":{{"ecosystem":"PyPI","name":"demo"}}}}]}}"#
    )
}

/// Found: a record id with spaces became a canonical's advisory key, and the
/// export holding it was refused by every peer (`malformed advisory key`).
#[test]
fn record_id_that_is_no_advisory_key_is_refused_not_exported() {
    let bytes = include_bytes!("../../fuzz/regressions/osv_parser/id-with-space.json");
    let mut input = &bytes[..];
    let first = read_stream(&mut input, "<fuzz>").next().unwrap().unwrap();
    let err = convert(&first.bytes).unwrap_err();
    assert_eq!(
        err.to_string(),
        "record id `GHSA-xxxx-yyyy pollution in @scope/Pkg` is not an advisory id (1 to 128 printable ASCII characters, no spaces): fix the record or give it a `CVE-YYYY-NNNN` alias"
    );
    assert_eq!(err.id(), Some("GHSA-xxxx-yyyy pollution in @scope/Pkg"));
    for bad in ["A B", "é-1", "x\u{7}", &"A".repeat(129), "cve-2024-12"] {
        let err = convert(record(bad, "").as_bytes()).unwrap_err();
        assert!(
            matches!(err, OsvError::BadId { ref id } if id == bad),
            "{bad}: {err}"
        );
    }
}

/// Found with it: a malformed CVE alias (`CVE-1`) was taken as the key; now
/// it is ignored, and a well-formed one in lower case is still used.
#[test]
fn malformed_cve_aliases_are_not_advisory_keys() {
    let keys = |aliases: &str| -> Vec<String> {
        let records = convert(record("PYSEC-2024-1", aliases).as_bytes()).unwrap();
        let mut keys: Vec<String> = records.into_iter().map(|r| r.canonical.cve).collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(r#""CVE-1","CVE-2024-1""#), ["PYSEC-2024-1"]);
    assert_eq!(keys(r#"" cve-2024-12345 ","CVE-X""#), ["CVE-2024-12345"]);
    let many = keys(r#""CVE-2024-0001","CVE-2023-99999""#);
    assert_eq!(many, ["CVE-2023-99999", "CVE-2024-0001"]);
    assert!(many.iter().all(|k| is_advisory_key(k)));
}
