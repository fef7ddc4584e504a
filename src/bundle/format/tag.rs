//! `sha256:<64 lowercase hex>` tags, the one spelling of a digest in a
//! manifest, an envelope and a row, and the lowercase hex they are read with.
//!
//! Invariant: a tag is read one way only ([`tag_digest`]): anything but
//! `sha256:` and 64 lowercase hex digits is `None`, never a panic.

/// The digest of no bytes: an empty member's `compressed_sha256`.
pub(crate) const EMPTY_SHA256: &str =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// `sha256:` followed by 64 lowercase hex digits.
pub(crate) fn is_sha256_tag(text: &str) -> bool {
    tag_digest(text.as_bytes()).is_some()
}

/// The digest a `sha256:<64 lowercase hex>` tag spells; `None` for anything
/// else (the one reading of the tag's syntax).
pub(crate) fn tag_digest(tag: &[u8]) -> Option<[u8; 32]> {
    let mut digest = [0u8; 32];
    let hex = tag.strip_prefix(b"sha256:")?;
    lower_hex(hex, &mut digest)?;
    Some(digest)
}

/// Decodes lowercase hex `digits` (two per byte of `out`); `None` on any
/// other byte or a length that does not fit.
pub(crate) fn lower_hex(digits: &[u8], out: &mut [u8]) -> Option<()> {
    if digits.len() != 2 * out.len() {
        return None;
    }
    // No branch per digit: a bad digit's bit is gathered and looked at once.
    let mut bad = 0;
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let (hi, lo) = (value(pair.first()), value(pair.get(1)));
        bad |= hi | lo;
        *byte = (hi << 4) | (lo & 0x0f);
    }
    (bad & BAD == 0).then_some(())
}

/// A digit's value in [`HEX`], [`BAD`] for anything else.
fn value(digit: Option<&u8>) -> u8 {
    digit.map_or(BAD, |d| HEX[usize::from(*d)])
}

/// One lowercase hex digit's value.
pub(crate) fn nibble(digit: u8) -> Option<u8> {
    let v = value(Some(&digit));
    (v != BAD).then_some(v)
}

const BAD: u8 = 0x80;

/// The value of each lowercase hex digit; [`BAD`] for every other byte.
const HEX: [u8; 256] = {
    let mut table = [BAD; 256];
    let mut i = 0;
    while i < 16 {
        table[b"0123456789abcdef"[i] as usize] = i as u8;
        i += 1;
    }
    table
};
