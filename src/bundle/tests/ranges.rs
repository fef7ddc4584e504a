//! Tampering by range, with the cause named: every byte of the sample's
//! archive is flipped in turn (and the archive recompressed canonically),
//! and the refusal must carry the reason code that the byte's range implies:
//! a manifest byte breaks the envelope's digest; a manifest field value
//! changed with the digest re-pinned (what a forger would do) breaks the
//! signature or the manifest's own checks; envelope fields, member bytes,
//! headers, padding and the trailer each have their own codes.

use super::*;

/// A byte range of the archive and the causes a flip inside it may have.
struct Range {
    what: String,
    start: usize,
    end: usize,
    causes: &'static [&'static str],
}

/// Every member's header, data and padding, then the trailer.
fn layout(tar: &[u8]) -> Vec<Range> {
    const HEADER: &[&str] = &[
        "tar_header_not_canonical",
        "unexpected_member",
        "duplicate_member",
        "unsafe_path",
        "not_regular_file",
    ];
    let mut out = Vec::new();
    let mut at = 0;
    for (name, data) in members_of(tar) {
        let data_end = at + tarfmt::BLOCK + data.len();
        let next = data_end + tarfmt::padding(data.len() as u64);
        let data_causes: &'static [&'static str] = match name.as_str() {
            MANIFEST_PATH => &["payload_digest_mismatch"],
            SIGNATURE_PATH => &[], // by field, in `envelope_fields`
            _ => &["member_sha256_mismatch"],
        };
        out.push(range(format!("{name} header"), at, at + 512, HEADER));
        out.push(range(
            format!("{name} data"),
            at + 512,
            data_end,
            data_causes,
        ));
        out.push(range(
            format!("{name} padding"),
            data_end,
            next,
            &["tar_padding_not_zero"],
        ));
        at = next;
    }
    let trailer = &["unsafe_path", "tar_trailer_invalid"];
    out.push(range("trailer".into(), at, tar.len(), trailer));
    out
}

fn range(what: String, start: usize, end: usize, causes: &'static [&'static str]) -> Range {
    Range {
        what,
        start,
        end,
        causes,
    }
}

/// `(key, start, end)` of every scalar value in compact JSON without escapes
/// (string values without their quotes).
fn scalar_values(json: &[u8]) -> Vec<(String, usize, usize)> {
    let text = std::str::from_utf8(json).unwrap();
    let mut out = Vec::new();
    for (colon, _) in text.match_indices("\":") {
        let key_start = text[..colon].rfind('"').unwrap() + 1;
        let key = text[key_start..colon].to_owned();
        let start = colon + 2;
        let (start, end) = match json[start] {
            b'{' | b'[' => continue,
            b'"' => (start + 1, start + 1 + text[start + 1..].find('"').unwrap()),
            _ => (start, start + text[start..].find([',', '}', ']']).unwrap()),
        };
        out.push((key, start, end));
    }
    out
}

/// The manifest's field values: flipped with the digest re-pinned.
fn manifest_causes(key: &str) -> &'static [&'static str] {
    match key {
        // One flip turns `1.1` into `1.0`, a version this stella reads:
        // then the signature over the real manifest refuses it.
        "version" => &["unsupported_version", "bad_signature"],
        _ => &["manifest_malformed", "bad_signature"],
    }
}

fn envelope_causes(key: &str) -> &'static [&'static str] {
    match key {
        "payloadType" => &["payload_type_mismatch"],
        "payloadDigest" => &["payload_digest_mismatch"],
        "keyid" => &["malformed_envelope", "no_trusted_key"],
        "sig" => &["malformed_envelope", "bad_signature"],
        other => panic!("unexpected envelope field `{other}`"),
    }
}

/// A flip that keeps a JSON string a string: never `"`, `\` or a control byte.
fn flip(b: u8) -> u8 {
    match b ^ 0x01 {
        b'"' | b'\\' => b ^ 0x02,
        c if c < 0x20 && b >= 0x20 => b ^ 0x40,
        c => c,
    }
}

/// The reason code of the refusal, or `None` if the bundle was accepted.
fn cause(bytes: &[u8]) -> Option<&'static str> {
    let bundle = match open(Box::new(bytes), &Limits::default()) {
        Ok(bundle) => bundle,
        Err(e) => return Some(e.reason_code()),
    };
    let verified = match bundle.verify(&[test_trusted()]) {
        Ok(verified) => verified,
        Err(e) => return Some(e.reason_code()),
    };
    verified.check_bytes().err().map(|e| e.reason_code())
}

#[track_caller]
fn expect(bytes: &[u8], what: &str, causes: &[&str]) {
    match cause(bytes) {
        Some(code) if causes.contains(&code) => {}
        other => panic!("{what}: got {other:?}, expected one of {causes:?}"),
    }
}

#[test]
fn every_byte_of_every_range_is_refused_for_its_own_cause() {
    let tar = decompress(&sample_bundle());
    let ranges = layout(&tar);
    assert_eq!(ranges.last().map(|r| r.end), Some(tar.len()));
    for r in ranges.iter().filter(|r| !r.causes.is_empty()) {
        for at in r.start..r.end {
            let mut bad = tar.clone();
            bad[at] = flip(bad[at]);
            expect(&compress(&bad), &format!("{} byte {at}", r.what), r.causes);
        }
    }
}

#[test]
fn every_envelope_field_value_is_refused_for_its_own_cause() {
    let tar = decompress(&sample_bundle());
    let envelope = &members_of(&tar)[1].1;
    let base = tarfmt::BLOCK * 2 + members_of(&tar)[0].1.len().div_ceil(512) * 512;
    let fields = scalar_values(envelope);
    assert_eq!(fields.len(), 4, "payloadType, payloadDigest, keyid, sig");
    for (key, start, end) in fields {
        for at in base + start..base + end {
            let mut bad = tar.clone();
            bad[at] = flip(bad[at]);
            let what = format!("envelope `{key}` byte {}", at - base);
            expect(&compress(&bad), &what, envelope_causes(&key));
        }
    }
}

#[test]
fn every_manifest_field_value_with_the_digest_re_pinned_is_refused() {
    let tar = decompress(&sample_bundle());
    let members = members_of(&tar);
    let manifest = &members[0].1;
    let envelope = std::str::from_utf8(&members[1].1).unwrap();
    let digest = sha256_tagged(manifest);
    let fields = scalar_values(manifest);
    assert_eq!(fields.len(), 28, "every scalar of the manifest");
    for (key, start, end) in fields {
        for at in start..end {
            let mut bad = manifest.clone();
            bad[at] = flip(bad[at]);
            let repinned = envelope.replace(&digest, &sha256_tagged(&bad));
            let mut parts: Vec<_> = members
                .iter()
                .map(|(n, d)| (n.clone().into_bytes(), tar::EntryType::Regular, d.clone()))
                .collect();
            parts[0].2 = bad;
            parts[1].2 = repinned.into_bytes();
            let what = format!("manifest `{key}` byte {at}");
            expect(&assemble(&parts), &what, manifest_causes(&key));
        }
    }
}
