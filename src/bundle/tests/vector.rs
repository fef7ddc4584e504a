//! The committed test vectors: `fixtures/bundles/vector-1.tar.zst`
//! (`feedser-bundle/1.0`, rows without history) and `vector-2.tar.zst`
//! (`feedser-bundle/1.1`, rows with their causal history). Each is rebuilt
//! from the sample rows and the test key and must match byte for byte, and
//! its hashes are the ones `man/stella-bundle.5` states.

use super::*;

struct Vector {
    path: &'static str,
    hash: &'static str,
    version: &'static str,
    rows: fn() -> (Vec<CanonicalRecord>, Vec<Deletion>),
}

const VECTORS: [Vector; 2] = [
    Vector {
        path: concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/bundles/vector-1.tar.zst"
        ),
        hash: "sha256:e485e1af942b0cb5eae683b0b19eda597e7472bbf9c70020823f67a389adda4c",
        version: FORMAT_1_0,
        rows: sample_1_0,
    },
    Vector {
        path: concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/bundles/vector-2.tar.zst"
        ),
        hash: "sha256:f8d55c46e6b8eea50c4a4868a99c640b5d20c169bc21540e1323fa367c36ba28",
        version: FORMAT_VERSION,
        rows: sample,
    },
];
const MAN_PAGE: &str = include_str!("../../../man/stella-bundle.5");

fn build(v: &Vector) -> Vec<u8> {
    let (records, deletions) = (v.rows)();
    let opts = WriteOptions {
        version: v.version,
        ..WriteOptions::default()
    };
    build_with(&records, &deletions, Some(&test_signer()), &opts).0
}

#[test]
fn vectors_rebuild_byte_for_byte() {
    for v in &VECTORS {
        let committed = std::fs::read(v.path).unwrap();
        let rebuilt = build(v);
        assert_eq!(sha256_tagged(&rebuilt), v.hash, "{}", v.path);
        assert!(committed == rebuilt, "{} differs from a rebuild", v.path);
        let spooled = validate(&committed, &[test_trusted()]).unwrap();
        assert_eq!(spooled.bundle_hash(), v.hash);
        assert_eq!(spooled.manifest().version, v.version);
        assert!(
            MAN_PAGE.contains(v.hash.trim_start_matches("sha256:")),
            "man page must state the hash of {}",
            v.path
        );
        assert!(MAN_PAGE.contains(spooled.manifest_sha256().trim_start_matches("sha256:")));
    }
}

#[test]
fn both_vectors_read_back_to_the_sample_rows() {
    for v in &VECTORS {
        let committed = std::fs::read(v.path).unwrap();
        let (records, deletions, _) = read_all(&committed, &[test_trusted()]).unwrap();
        assert_eq!((records, deletions), (v.rows)(), "{}", v.path);
    }
}

/// Run by hand (`--ignored`) after a deliberate format change.
#[test]
#[ignore]
fn regenerate_vectors() {
    for v in &VECTORS {
        let bytes = build(v);
        std::fs::write(v.path, &bytes).unwrap();
        let spooled = validate(&bytes, &[test_trusted()]).unwrap();
        eprintln!(
            "{}\nbundle_hash {}\nmanifest_sha256 {}\nsize {}",
            v.path,
            spooled.bundle_hash(),
            spooled.manifest_sha256(),
            bytes.len()
        );
    }
}
