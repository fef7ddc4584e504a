//! Every byte counts: any single-byte change, truncation or addition to a
//! signed bundle is refused, whether made to the compressed file or to the
//! archive inside it (recompressed with the canonical parameters).

use std::io::Read;

use super::*;

fn refused(bytes: &[u8], what: &str) {
    if let Ok(spooled) = validate(bytes, &[test_trusted()]) {
        panic!("{what}: accepted, bundle hash {}", spooled.bundle_hash());
    }
}

#[test]
fn the_sample_is_small_and_valid() {
    let bytes = sample_bundle();
    assert!(validate(&bytes, &[test_trusted()]).is_ok());
    assert!(bytes.len() < 4096, "{} bytes", bytes.len());
}

#[test]
fn every_compressed_byte_flipped_is_refused() {
    let bytes = sample_bundle();
    for offset in 0..bytes.len() {
        for mask in [0x01u8, 0xff] {
            let mut bad = bytes.clone();
            bad[offset] ^= mask;
            refused(&bad, &format!("compressed offset {offset} ^ {mask:#04x}"));
        }
    }
}

#[test]
fn every_archive_byte_flipped_and_recompressed_is_refused() {
    let tar = decompress(&sample_bundle());
    assert_eq!(
        compress(&tar),
        sample_bundle(),
        "recompression is canonical"
    );
    for offset in 0..tar.len() {
        for mask in [0x01u8, 0xff] {
            let mut bad = tar.clone();
            bad[offset] ^= mask;
            refused(
                &compress(&bad),
                &format!("archive offset {offset} ^ {mask:#04x}"),
            );
        }
    }
}

#[test]
fn every_truncation_is_refused() {
    let bytes = sample_bundle();
    for len in 0..bytes.len() {
        refused(&bytes[..len], &format!("truncated to {len}"));
    }
    let err = open(Box::new(&bytes[..0]), &Limits::default()).unwrap_err();
    assert!(matches!(err, BundleError::Truncated));
    let half = &bytes[..bytes.len() - 4];
    let err = open(Box::new(half), &Limits::default())
        .and_then(|b| b.skip_signature(skip()).check_bytes())
        .unwrap_err();
    assert!(matches!(err, BundleError::Truncated), "{err}");
}

fn tail_error(tail: &[u8]) -> BundleError {
    let mut bytes = sample_bundle();
    bytes.extend_from_slice(tail);
    open(Box::new(&bytes[..]), &Limits::default())
        .and_then(|b| b.skip_signature(skip()).check_bytes())
        .unwrap_err()
}

#[test]
fn anything_after_the_frame_is_trailing_data() {
    assert!(matches!(tail_error(b"garbage"), BundleError::TrailingData));
    assert!(matches!(tail_error(&[0]), BundleError::TrailingData));
    assert!(matches!(
        tail_error(&sample_bundle()),
        BundleError::TrailingData
    ));
    // A skippable frame: magic 0x184d2a50, length 4, payload.
    assert!(matches!(
        tail_error(&[0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4]),
        BundleError::TrailingData
    ));
    assert_eq!(
        tail_error(b"x").to_string(),
        "trailing data after the end of the bundle"
    );
}

#[test]
fn data_after_the_tar_trailer_inside_the_frame_is_refused() {
    let mut tar = decompress(&sample_bundle());
    tar.push(0);
    let err = open(Box::new(&compress(&tar)[..]), &Limits::default())
        .and_then(|b| b.skip_signature(skip()).check_bytes())
        .unwrap_err();
    assert!(matches!(err, BundleError::TrailingData));
    let mut tar = decompress(&sample_bundle());
    tar.truncate(tar.len() - 512);
    let err = open(Box::new(&compress(&tar)[..]), &Limits::default())
        .and_then(|b| b.skip_signature(skip()).check_bytes())
        .unwrap_err();
    assert!(matches!(err, BundleError::Truncated));
}

#[test]
fn specific_errors_for_typical_damage() {
    let bytes = sample_bundle();
    let mut bad = bytes.clone();
    bad[5] = 0x68; // window descriptor: 2^23 would decode the same data
    assert!(matches!(
        open(Box::new(&bad[..]), &Limits::default()).unwrap_err(),
        BundleError::WindowLimit {
            window_log: 23,
            limit: 22
        }
    ));
    bad[5] = 0x58; // 2^21: under the cap, but not the canonical window
    assert!(matches!(
        open(Box::new(&bad[..]), &Limits::default()).unwrap_err(),
        BundleError::FrameHeader { .. }
    ));
    let mut bad = bytes.clone();
    bad[4] ^= 0x10; // the "unused" descriptor bit decoders ignore
    assert!(matches!(
        open(Box::new(&bad[..]), &Limits::default()).unwrap_err(),
        BundleError::FrameHeader { .. }
    ));
    let mut bad = bytes;
    bad[0] = b'P';
    assert!(matches!(
        open(Box::new(&bad[..]), &Limits::default()).unwrap_err(),
        BundleError::NotZstd { .. }
    ));
}

fn spool_err(bytes: &[u8]) -> BundleError {
    open(Box::new(bytes), &Limits::default())
        .and_then(|b| b.skip_signature(skip()).check_bytes())
        .unwrap_err()
}

#[test]
fn flips_that_zstd_itself_ignores_are_caught_by_re_encoding() {
    let bytes = sample_bundle();
    let tar = decompress(&bytes);
    let mut slack = 0;
    for offset in 6..bytes.len() {
        let mut bad = bytes.clone();
        bad[offset] ^= 0x01;
        let mut out = Vec::new();
        let decoded =
            zstd::stream::read::Decoder::new(&bad[..]).and_then(|mut d| d.read_to_end(&mut out));
        if decoded.is_ok() && out == tar {
            slack += 1;
            // A frame header is checked byte for byte; otherwise, in a head
            // or joint frame the re-encoding differs, and in a body frame
            // the signed digest of its compressed bytes does.
            let err = spool_err(&bad);
            assert!(
                matches!(
                    err,
                    BundleError::NonCanonicalCompression { level: 3 }
                        | BundleError::CompressedMismatch { .. }
                        | BundleError::WindowLimit { .. }
                        | BundleError::FrameHeader { .. }
                ),
                "offset {offset}: {err}"
            );
        }
    }
    assert!(
        slack > 0,
        "zstd has slack bits in this sample (measured); the check above must have run"
    );
}

/// A body frame's XXH64 content checksum (its last four bytes) is not
/// checked by the decoder: the signed digests of its content and of its
/// bytes pin more. A change to it is refused by the digest of its bytes.
#[test]
fn a_body_frames_checksum_is_pinned_by_its_signed_digest() {
    let bytes = sample_bundle();
    let mut frames = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let size = zstd::zstd_safe::find_frame_compressed_size(&bytes[at..]).unwrap();
        frames.push(at + size);
        at += size;
    }
    let mut bodies = Vec::new();
    for end in frames {
        let mut bad = bytes.clone();
        bad[end - 1] ^= 0x01;
        if let BundleError::CompressedMismatch { path, .. } = spool_err(&bad) {
            bodies.push(path);
        }
    }
    assert_eq!(
        bodies,
        ["canonicals.ndjson", "edges.ndjson", "deletions.ndjson"]
    );
}

#[test]
fn a_different_level_than_the_manifest_states_is_refused() {
    let tar = decompress(&sample_bundle());
    let other_level = layout_at(&tar, &sample_sizes(), 1);
    assert!(matches!(
        spool_err(&other_level),
        BundleError::NonCanonicalCompression { level: 3 }
    ));
    let (records, deletions) = sample();
    let dir = tempfile::tempdir().unwrap();
    let spooled_at_3 = spool_rows(dir.path(), &records, &deletions, &WriteOptions::default());
    let at_5 = WriteOptions {
        version: crate::bundle::FORMAT_VERSION,
        level: 5,
        threads: 1,
    };
    let err = write_bundle(&mut Vec::new(), &header(), spooled_at_3, None, &at_5).unwrap_err();
    assert_eq!(
        err.to_string(),
        "spooled member `canonicals.ndjson` was compressed at level 3, not 5"
    );
    for level in [0, 20, -1] {
        let opts = WriteOptions {
            version: crate::bundle::FORMAT_VERSION,
            level,
            threads: 1,
        };
        let members = spool_rows(dir.path(), &records, &deletions, &WriteOptions::default());
        let err = write_bundle(&mut Vec::new(), &header(), members, None, &opts).unwrap_err();
        assert!(matches!(err, BundleError::UnsupportedLevel { level: l } if l == level));
    }
}

#[test]
fn header_check_names_the_bytes() {
    assert!(
        matches!(frame::check_header(&[0; 6], frame::WINDOW_LOG), Err(BundleError::NotZstd { found }) if found == "00000000")
    );
    let err =
        frame::check_header(&[0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58], frame::WINDOW_LOG).unwrap_err();
    assert_eq!(
        err.to_string(),
        "zstd frame header is not canonical: found `28b52ffd0458`, expected `28b52ffd0460`"
    );
    let err =
        frame::check_header(&[0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x68], frame::WINDOW_LOG).unwrap_err();
    assert!(matches!(err, BundleError::FrameHeader { .. }), "{err}");
}

#[test]
fn windows_over_the_cap_are_named() {
    for (descriptor, log) in [(0x60, 22), (0x61, 23), (0x68, 23), (0x88, 27), (0xf8, 41)] {
        assert_eq!(frame::window_log(descriptor), log, "{descriptor:#x}");
    }
    let err =
        frame::check_header(&[0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x88], frame::WINDOW_LOG).unwrap_err();
    assert!(matches!(
        err,
        BundleError::WindowLimit {
            window_log: 27,
            limit: 22
        }
    ));
}
