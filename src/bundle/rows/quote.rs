//! Where a JSON string of a row ends, or its next escape starts: the first
//! `"` or `\` after the opening quote. The scanner (`lexer.rs`) asks this
//! of every string of every row, and most are short (ids, names, digests,
//! the words of an enum), so the search costs what a call to `memchr2` costs
//! to set up unless that is avoided.
//!
//! Invariant: the answer is exactly `memchr2(b'"', b'\\', bytes)`'s.

/// Bytes searched inline, 16 at a time, before the rest goes to `memchr2`.
const INLINE: usize = 64;

/// The index of the first `"` or `\` of `bytes`. The first [`INLINE`] bytes
/// are searched here, in a fold the compiler vectorizes; only a longer
/// string (free text) goes on to `memchr2`.
pub(super) fn quote_or_backslash(bytes: &[u8]) -> Option<usize> {
    let special = |b: &u8| *b == b'"' || *b == b'\\';
    let head = bytes.get(..bytes.len().min(INLINE)).unwrap_or_default();
    let mut blocks = head.chunks_exact(16);
    let mut at = 0;
    for block in &mut blocks {
        if block.iter().fold(false, |hit, b| hit | special(b)) {
            return block.iter().position(special).map(|i| at + i);
        }
        at += block.len();
    }
    if let Some(i) = blocks.remainder().iter().position(special) {
        return Some(at + i);
    }
    let tail = bytes.get(head.len()..).unwrap_or_default();
    match tail.is_empty() {
        true => None,
        false => memchr::memchr2(b'"', b'\\', tail).map(|i| head.len() + i),
    }
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
}
