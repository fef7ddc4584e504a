//! The committed test vector `fixtures/bundles/vector-1.tar.zst`: rebuilt
//! from the sample rows and the test key, it must match byte for byte, and
//! its hash is the one `man/stella-bundle.5` states.

use super::*;

const VECTOR_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/bundles/vector-1.tar.zst"
);
const VECTOR_HASH: &str = "sha256:e485e1af942b0cb5eae683b0b19eda597e7472bbf9c70020823f67a389adda4c";
const MAN_PAGE: &str = include_str!("../../../man/stella-bundle.5");

#[test]
fn vector_rebuilds_byte_for_byte() {
    let committed = std::fs::read(VECTOR_PATH).unwrap();
    let rebuilt = sample_bundle();
    assert_eq!(sha256_tagged(&rebuilt), VECTOR_HASH);
    assert!(
        committed == rebuilt,
        "vector-1.tar.zst differs from a rebuild"
    );
    let spooled = validate(&committed, &[test_trusted()]).unwrap();
    assert_eq!(spooled.bundle_hash(), VECTOR_HASH);
    assert!(
        MAN_PAGE.contains(VECTOR_HASH.trim_start_matches("sha256:")),
        "man page must state the vector hash"
    );
    assert!(MAN_PAGE.contains(spooled.manifest_sha256().trim_start_matches("sha256:")));
}

/// Run by hand (`--ignored`) after a deliberate format change.
#[test]
#[ignore]
fn regenerate_vector() {
    let bytes = sample_bundle();
    std::fs::write(VECTOR_PATH, &bytes).unwrap();
    let spooled = validate(&bytes, &[test_trusted()]).unwrap();
    eprintln!(
        "bundle_hash {}\nmanifest_sha256 {}\nsize {}",
        spooled.bundle_hash(),
        spooled.manifest_sha256(),
        bytes.len()
    );
}
