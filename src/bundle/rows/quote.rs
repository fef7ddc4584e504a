//! Where a JSON string of a row ends, or its next escape starts: the first
//! `"` or `\` after the opening quote. The scanner (`lexer.rs`) asks this
//! of every string of every row, and most are short (ids, names, digests,
//! the words of an enum), so the search costs what a call to `memchr2` costs
//! to set up unless that is avoided: the first bytes are searched a word
//! at a time instead.
//!
//! Invariant: the answer is exactly `memchr2(b'"', b'\\', bytes)`'s.

/// Bytes searched inline, a word of 8 at a time, before the rest goes to
/// `memchr2`: the `sha256:` digests (71 bytes) and most names and ids fit.
const INLINE: usize = 128;

/// Each byte of a word set to `b`.
const fn splat(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

/// The index of the first `"` or `\` of `bytes`. The first [`INLINE`] bytes
/// are searched here, 8 at a time; only a longer string (free text) goes on
/// to `memchr2`.
pub(super) fn quote_or_backslash(bytes: &[u8]) -> Option<usize> {
    let head = bytes.get(..bytes.len().min(INLINE)).unwrap_or_default();
    let mut words = head.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
        let hits = zero_bytes(word ^ splat(b'"')) | zero_bytes(word ^ splat(b'\\'));
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let special = |b: &u8| *b == b'"' || *b == b'\\';
    if let Some(i) = words.remainder().iter().position(special) {
        return Some(at + i);
    }
    let tail = bytes.get(head.len()..).unwrap_or_default();
    match tail.is_empty() {
        true => None,
        false => memchr::memchr2(b'"', b'\\', tail).map(|i| head.len() + i),
    }
}

/// The high bit of each zero byte of `word` set, and possibly of bytes
/// above the lowest zero byte (a borrow runs on from it), never below: so
/// the lowest set bit is exactly the lowest zero byte's.
fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(splat(1)) & !word & splat(0x80)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_memchr2_finds_wherever_the_byte_is() {
        for len in 0..(3 * INLINE) {
            let plain = vec![b'a'; len];
            assert_eq!(quote_or_backslash(&plain), None, "{len}");
            for at in 0..len {
                for special in [b'"', b'\\'] {
                    let mut bytes = plain.clone();
                    bytes[at] = special;
                    // A later one never hides the first.
                    if let Some(last) = bytes.last_mut().filter(|_| at + 1 < len) {
                        *last = b'"';
                    }
                    let expected = memchr::memchr2(b'"', b'\\', &bytes);
                    assert_eq!(quote_or_backslash(&bytes), expected, "{len} {at}");
                    assert_eq!(expected, Some(at));
                }
            }
        }
    }

    proptest::proptest! {
        /// Bytes next to the two searched for (a borrow or a flipped bit
        /// away), zero and high bytes: the word search answers as
        /// `memchr2` does.
        #[test]
        fn any_bytes_give_memchr2s_answer(bytes in proptest::collection::vec(
            proptest::sample::select(vec![
                b'"', b'\\', b'!', b'#', b'[', b']', b'"' ^ 0x80, b'\\' ^ 0x80,
                0, 1, 0x7f, 0x80, 0xff, b'a',
            ]),
            0..300,
        )) {
            proptest::prop_assert_eq!(
                quote_or_backslash(&bytes),
                memchr::memchr2(b'"', b'\\', &bytes)
            );
        }
    }
}
