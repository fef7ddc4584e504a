//! Attacks on the zstd layer and on sizes: truncated and concatenated
//! frames, windows over the cap, bombs and absurd declared totals.

use super::craft::{self, Craft};
use super::{import, receiver, refused};

const TRUNCATED: &str = "truncated bundle: the input ended early; fetch the bundle again";
const TRAILING: &str = "trailing data after the end of the bundle";

#[test]
fn a_truncated_zstd_frame_is_refused() {
    let b = receiver();
    let bundle = Craft::vector().bundle();
    for len in [bundle.len() - 4, bundle.len() / 2, 7] {
        refused(&b, &bundle[..len], 4, TRUNCATED);
    }
}

#[test]
fn a_second_frame_after_the_first_is_refused() {
    let b = receiver();
    let bundle = Craft::vector().bundle();
    refused(&b, &[&bundle[..], &bundle[..]].concat(), 4, TRAILING);
    let empty_frame = craft::compress(b"");
    refused(&b, &[&bundle[..], &empty_frame[..]].concat(), 4, TRAILING);
    // A skippable frame (magic 0x184d2a50, 4-byte length, payload).
    let skippable = [0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3];
    refused(&b, &[&bundle[..], &skippable[..]].concat(), 4, TRAILING);
}

#[test]
fn a_window_over_the_cap_is_refused() {
    let b = receiver();
    let tar = craft::tar(&Craft::vector().entries());
    for log in [23, 27] {
        let frame = craft::compress_with(&tar, log);
        let message = format!(
            "bundle needs a zstd window of 2^{log} bytes, over the limit of 2^22: ask the sender for a bundle made by `stella feedser bundle export`"
        );
        refused(&b, &frame, 4, &message);
    }
}

/// `lines` lines of 1000 `a`s: compresses more than a thousandfold.
fn bomb_rows(lines: usize) -> Vec<u8> {
    let mut line = vec![b'a'; 1000];
    line.push(b'\n');
    line.repeat(lines)
}

#[test]
fn a_zstd_bomb_stops_at_the_default_ratio() {
    let b = receiver();
    let mut c = Craft::vector();
    c.rows[0] = bomb_rows(16 << 10);
    let bundle = c.bundle();
    assert!(bundle.len() < 64 << 10, "{} bytes", bundle.len());
    let message = "bundle expands more than 200 times when decompressed: refused as a possible zstd bomb; if the sender is trusted, raise FederationImport.MaxDecompressionRatio";
    refused(&b, &bundle, 4, message);
}

#[test]
fn the_ratio_comes_from_the_config() {
    let b = receiver();
    let config = b.home().join("concelier.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("  MaxDecompressionRatio: 200\n"), "{text}");
    let text = text.replace("MaxDecompressionRatio: 200", "MaxDecompressionRatio: 4");
    std::fs::write(&config, text).unwrap();
    let mut c = Craft::vector();
    c.rows[0] = bomb_rows(1 << 10);
    let message = "bundle expands more than 4 times when decompressed: refused as a possible zstd bomb; if the sender is trusted, raise FederationImport.MaxDecompressionRatio";
    refused(&b, &c.bundle(), 4, message);
    // An honest bundle is far below even this ratio.
    import(&b, &Craft::vector().bundle()).ok();
}

/// The manifest with each member's `size` replaced, signed.
fn declaring(sizes: [u64; 3]) -> Vec<u8> {
    let c = Craft::vector();
    let mut manifest = String::from_utf8(c.manifest()).unwrap();
    for (row, size) in c.rows.iter().zip(sizes) {
        let real = format!("\"size\":{},", row.len());
        let at = manifest.find(&real).unwrap();
        manifest.replace_range(at..at + real.len(), &format!("\"size\":{size},"));
    }
    craft::pack(&c.signed(manifest.into_bytes()))
}

#[test]
fn a_declared_total_over_the_cap_is_refused() {
    let b = receiver();
    let limit = 16u64 << 30;
    let cases = [
        ([limit - 2, 1, 2], u128::from(limit) + 1),
        ([u64::MAX; 3], 3 * u128::from(u64::MAX)),
    ];
    for (sizes, declared) in cases {
        let message = format!(
            "manifest declares {declared} bytes of members, over the limit of {limit}: ask the sender for smaller bundles (--max-items)"
        );
        refused(&b, &declaring(sizes), 4, &message);
    }
}
