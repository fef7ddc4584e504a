//! Raw deflate (RFC 1951) of one small record at a time, for the export's
//! zip entries.
//!
//! Each record becomes one final block with the fixed Huffman codes and
//! greedy LZ77 matches: one candidate per position, found through a hash
//! table of 4-byte prefixes, taken when at least 4 bytes agree. That is
//! the kind of output of zlib-ng's fastest level ("quick"), without its
//! per-record reset: zlib-ng (and zlib-rs, which flate2 used here before)
//! sweeps a 128 KiB table before every stream, about as much work as
//! deflating the ~700-byte record that follows (a third of the export's
//! deflate time at 100k canonicals).
//!
//! Invariant: the bytes of a record depend on the record alone. The table
//! is not cleared between records; a slot holds a position on a counter
//! that only grows, and a position from before the record's start is
//! ignored. So the output does not depend on what a compressor deflated
//! before, nor on which worker thread deflated it. The counter is 32 bits
//! wide (half the table's bytes of a 64-bit one, a third fewer first-level
//! cache misses); when a record would run past its end, the table is
//! cleared and the counter starts again, once per 4 GiB deflated.

use super::deflate_codes::{distance, end_of_block, length, literal};

/// Slots of the hash table: 2^14 positions (64 KiB), many times the
/// ~700 bytes of a typical record.
const HASH_BITS: u32 = 14;
/// The longest match and the farthest distance deflate can express.
const MAX_MATCH: usize = 258;
const MAX_DISTANCE: usize = 32_768;
const MIN_MATCH: usize = 4;

/// A compressor whose table is reused from record to record.
pub struct Deflater {
    /// The position (on the growing counter) last seen per hash of 4 bytes.
    table: Vec<u32>,
    /// Where the next record starts on the counter (0 is an empty slot).
    base: u32,
}

impl Default for Deflater {
    fn default() -> Self {
        Deflater {
            table: vec![0; 1 << HASH_BITS],
            base: 1,
        }
    }
}

impl Deflater {
    /// Appends `input` deflated (one final fixed-code block) to `out`.
    pub fn deflate(&mut self, input: &[u8], out: &mut Vec<u8>) {
        // 9 bits per literal at most, a header, an end code and padding.
        out.reserve(input.len() + input.len() / 8 + 8);
        let mut bits = Bits {
            out,
            acc: 0,
            len: 0,
        };
        bits.put(0b011, 3); // last block, fixed codes
        let base = self.start(input.len());
        let mut i = 0;
        while i + MIN_MATCH <= input.len() {
            let word = word_at(input, i);
            let slot = &mut self.table[hash(word)];
            let candidate = *slot;
            *slot = base.wrapping_add(i as u32);
            if let Some((len, dist)) = self.match_at(input, i, word, candidate) {
                bits.put_pair(length(len));
                bits.put_pair(distance(dist));
                i += len;
                continue;
            }
            bits.put_pair(literal(input[i]));
            i += 1;
        }
        for &byte in &input[i..] {
            bits.put_pair(literal(byte));
        }
        bits.put_pair(end_of_block());
        bits.finish();
        self.base = base.wrapping_add(input.len() as u32);
    }

    /// A compressor whose counter is at `base` (to test its end).
    #[cfg(test)]
    pub(super) fn at(base: u32) -> Self {
        Deflater {
            base,
            ..Deflater::default()
        }
    }

    /// Where a record of `len` bytes starts on the counter: the counter,
    /// unless the record would run past its end; then the table is cleared
    /// and the counter starts again.
    fn start(&mut self, len: usize) -> u32 {
        if u32::try_from(len).map_or(true, |len| len >= u32::MAX - self.base) {
            self.table.fill(0);
            self.base = 1;
        }
        self.base
    }

    /// The match (length, distance) at `i` with the earlier position
    /// `candidate`, when it is in this record, near enough and long enough.
    fn match_at(
        &self,
        input: &[u8],
        i: usize,
        word: u32,
        candidate: u32,
    ) -> Option<(usize, usize)> {
        let start = candidate.checked_sub(self.base)? as usize;
        let dist = i
            .checked_sub(start)
            .filter(|d| (1..=MAX_DISTANCE).contains(d))?;
        if word_at(input, start) != word {
            return None;
        }
        let max = MAX_MATCH.min(input.len() - i);
        let len =
            MIN_MATCH + common_prefix(&input[start + MIN_MATCH..], &input[i + MIN_MATCH..i + max]);
        Some((len, dist))
    }
}

/// The 4 bytes at `i`.
fn word_at(input: &[u8], i: usize) -> u32 {
    u32::from_le_bytes(input[i..i + 4].try_into().expect("4 bytes"))
}

/// The table slot of 4 bytes.
fn hash(word: u32) -> usize {
    (word.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
}

/// How many leading bytes of `b` equal those of `a` (`a` is at least as
/// long as `b`, or the count stops at its end).
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let mut n = 0;
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let diff = u64::from_le_bytes(x.try_into().expect("8 bytes"))
            ^ u64::from_le_bytes(y.try_into().expect("8 bytes"));
        if diff != 0 {
            return n + (diff.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    n + a[n..]
        .iter()
        .zip(&b[n..])
        .take_while(|(x, y)| x == y)
        .count()
}

/// Bits written least significant first, as deflate packs them.
struct Bits<'a> {
    out: &'a mut Vec<u8>,
    acc: u64,
    len: u32,
}

impl Bits<'_> {
    /// Appends the low `n` bits of `value` (`n` ≤ 32).
    fn put(&mut self, value: u32, n: u32) {
        self.acc |= u64::from(value) << self.len;
        self.len += n;
        if self.len >= 32 {
            self.out.extend_from_slice(&(self.acc as u32).to_le_bytes());
            self.acc >>= 32;
            self.len -= 32;
        }
    }

    fn put_pair(&mut self, (value, n): (u32, u32)) {
        self.put(value, n);
    }

    /// Writes what is left, padded to a whole byte.
    fn finish(self) {
        let bytes = self.len.div_ceil(8) as usize;
        self.out.extend_from_slice(&self.acc.to_le_bytes()[..bytes]);
    }
}

#[cfg(test)]
#[path = "deflate_tests.rs"]
mod tests;
