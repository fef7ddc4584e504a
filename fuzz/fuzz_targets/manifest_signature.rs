//! `manifest_signature`: the `MANIFEST.json` and `SIGNATURE.json` parsers
//! on raw bytes. The input is `<manifest bytes>\n<envelope bytes>` (neither
//! may hold a raw newline in canonical form); the envelope is parsed against
//! the digest of the manifest part, as `bundle::open` does, so a mutated
//! envelope still gets past the digest check. Without a newline the whole
//! input is tried as both.
//!
//! Invariants checked: a manifest that parses is canonical (it serializes to
//! the input bytes) and parses back to itself; an envelope that parses has
//! well-formed key ids.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stella::bundle::{Manifest, parse_envelope};
use stella::model::sha256_tagged;

fuzz_target!(|data: &[u8]| {
    let (manifest, envelope) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, data),
    };
    if let Ok(parsed) = Manifest::parse(manifest) {
        let bytes = parsed.to_bytes().expect("a parsed manifest serializes");
        assert_eq!(bytes, manifest, "a parsed manifest is canonical");
        assert_eq!(
            Manifest::parse(&bytes).expect("canonical bytes parse"),
            parsed
        );
    }
    if let Ok(key_ids) = parse_envelope(envelope, &sha256_tagged(manifest)) {
        for id in key_ids {
            let hex = id.strip_prefix("sha256:").expect("key ids are tagged");
            assert_eq!(hex.len(), 64);
        }
    }
});
