//! Manifest properties: any manifest the writer can produce serializes to
//! bytes that parse back to it, and those bytes are the only spelling the
//! reader accepts (pretty-printed, reordered or padded forms are refused).

use proptest::prelude::*;

use super::*;
use crate::cursor::{Cursor, format_millis};

/// Milliseconds from 1970 to 2099.
const MILLIS: std::ops::Range<i64> = 0..4_102_444_800_000;

fn arb_cursor() -> impl Strategy<Value = Cursor> {
    (MILLIS, any::<u64>()).prop_map(|(m, s)| Cursor::new(m, s))
}

/// Every id the site-id rule allows (manifests with others are refused:
/// `hostile::json::absurdly_long_strings_are_refused`).
fn arb_site_id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
}

fn arb_manifest() -> impl Strategy<Value = Manifest> {
    let cursors = (arb_cursor(), proptest::option::of(arb_cursor()))
        .prop_map(|(a, b)| (b.map(|b| a.min(b)), b.map_or(a, |b| a.max(b))));
    // Sizes of 0 (no body frame) come often enough to be tried.
    let size = prop_oneof![Just(0u64), any::<u64>()];
    let file = (
        "[0-9a-f]{64}",
        size,
        0u64..1 << 40,
        "[0-9a-f]{64}",
        1u64..1 << 40,
    );
    (
        arb_site_id(),
        cursors,
        MILLIS,
        [file.clone(), file.clone(), file],
        1i32..=19,
    )
        .prop_map(|(site_id, (since, export), at, files, level)| {
            let files: Vec<FileEntry> = Member::ALL
                .into_iter()
                .zip(files)
                .map(|(m, (hex, size, lines, zhex, zsize))| FileEntry {
                    path: ArchivePath::new(m.path()).unwrap(),
                    sha256: format!("sha256:{hex}"),
                    size,
                    lines,
                    compressed_sha256: match size {
                        0 => crate::model::sha256_tagged(b""),
                        _ => format!("sha256:{zhex}"),
                    },
                    compressed_size: if size == 0 { 0 } else { zsize },
                })
                .collect();
            let [canonicals, edges, deletions] = [0, 1, 2].map(|i| files[i].lines);
            Manifest {
                version: FORMAT_VERSION.into(),
                site_id,
                since_cursor: since,
                export_cursor: export,
                exported_at: format_millis(at),
                counts: Counts {
                    canonicals,
                    edges,
                    deletions,
                    total: canonicals + edges + deletions,
                },
                files,
                zstd_level: level,
            }
        })
}

proptest! {
    #[test]
    fn manifests_round_trip_through_their_canonical_bytes(m in arb_manifest()) {
        let bytes = m.to_bytes().unwrap();
        let back = Manifest::parse(&bytes).unwrap();
        prop_assert_eq!(&back, &m);
        prop_assert_eq!(back.to_bytes().unwrap(), bytes);
    }

    #[test]
    fn other_spellings_of_the_same_manifest_are_refused(m in arb_manifest(), pad in 0usize..3) {
        let value: serde_json::Value = serde_json::from_slice(&m.to_bytes().unwrap()).unwrap();
        // serde_json's map sorts keys: `counts` before `version` is not field order.
        let reordered = serde_json::to_vec(&value).unwrap();
        let pretty = serde_json::to_vec_pretty(&m).unwrap();
        let mut padded = m.to_bytes().unwrap();
        padded.splice(0..0, std::iter::repeat_n(b' ', pad + 1));
        for bytes in [reordered, pretty, padded] {
            let refused = matches!(
                Manifest::parse(&bytes),
                Err(BundleError::MalformedManifest { detail }) if detail.starts_with("not in canonical form")
            );
            prop_assert!(refused, "{}", String::from_utf8_lossy(&bytes));
        }
    }
}
