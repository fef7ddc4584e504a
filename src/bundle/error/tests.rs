//! Exact messages and codes of the bundle errors.

use super::{BundleError, SignatureError};

#[test]
fn messages_and_codes_are_exact() {
    let e = BundleError::Sha256Mismatch {
        path: "edges.ndjson",
        expected: "sha256:aa".into(),
        actual: "sha256:bb".into(),
    };
    assert_eq!(
        e.to_string(),
        "member `edges.ndjson` sha256 mismatch: manifest says `sha256:aa`, content is `sha256:bb`"
    );
    assert_eq!(e.reason_code(), "member_sha256_mismatch");
    let e = BundleError::from(SignatureError::Unsigned);
    assert_eq!(e.reason_code(), "unsigned");
}
