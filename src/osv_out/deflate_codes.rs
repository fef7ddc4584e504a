//! The fixed Huffman codes of deflate (RFC 1951, 3.2.6) as ready-to-write
//! bit strings: each entry is `(bits, count)`, the code already reversed
//! for a least-significant-first writer and followed by its extra bits,
//! built once at compile time.

/// `(bits, count)` of a code and its extra bits.
type Code = (u32, u32);

/// The fixed code of literal/length symbol `symbol` (0–287), reversed.
const fn symbol_code(symbol: u32) -> Code {
    let (code, len) = match symbol {
        0..=143 => (0x30 + symbol, 8),
        144..=255 => (0x190 + symbol - 144, 9),
        256..=279 => (symbol - 256, 7),
        _ => (0xC0 + symbol - 280, 8),
    };
    (code.reverse_bits() >> (32 - len), len)
}

/// The symbol and extra bits of a match length of 3 to 258.
const fn length_code(len: u32) -> Code {
    let v = len - 3;
    let (symbol, extra_len) = match v {
        0..=7 => (257 + v, 0),
        255 => (285, 0),
        _ => {
            let b = 31 - v.leading_zeros();
            (257 + 4 * (b - 1) + ((v >> (b - 2)) & 3), b - 2)
        }
    };
    let (code, code_len) = symbol_code(symbol);
    let extra = v & ((1 << extra_len) - 1);
    (code | (extra << code_len), code_len + extra_len)
}

/// The 5-bit fixed code and extra bits of a distance of 1 to 32,768.
fn distance_code(dist: u32) -> Code {
    let d = dist - 1;
    let (symbol, extra_len) = if d < 4 {
        (d, 0)
    } else {
        let b = 31 - d.leading_zeros();
        (2 * b + ((d >> (b - 1)) & 1), b - 1)
    };
    let code = REVERSED5[symbol as usize];
    let extra = d & ((1 << extra_len) - 1);
    (code | (extra << 5), 5 + extra_len)
}

static LITERALS: [Code; 256] = {
    let mut out = [(0, 0); 256];
    let mut i = 0;
    while i < 256 {
        out[i] = symbol_code(i as u32);
        i += 1;
    }
    out
};

/// Indexed by length − 3.
static LENGTHS: [Code; 256] = {
    let mut out = [(0, 0); 256];
    let mut i = 0;
    while i < 256 {
        out[i] = length_code(i as u32 + 3);
        i += 1;
    }
    out
};

/// The 5-bit distance codes, reversed. A distance's code is computed, not
/// looked up: a table of all 32,768 distances would crowd the cache.
static REVERSED5: [u32; 32] = {
    let mut out = [0; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = (i as u32).reverse_bits() >> 27;
        i += 1;
    }
    out
};

/// The code of literal byte `byte`.
pub fn literal(byte: u8) -> Code {
    LITERALS[usize::from(byte)]
}

/// The code of the end of a block.
pub fn end_of_block() -> Code {
    symbol_code(256)
}

/// The code of a match of `len` bytes (3 to 258).
pub fn length(len: usize) -> Code {
    LENGTHS[len - 3]
}

/// The code of a match `dist` bytes back (1 to 32,768).
pub fn distance(dist: usize) -> Code {
    distance_code(dist as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_tables_of_rfc_1951() {
        // Literal 0 is 00110000, read most significant bit first.
        assert_eq!(literal(0), (0b0000_1100, 8));
        assert_eq!(literal(144), (0b0_0001_0011, 9));
        assert_eq!(end_of_block(), (0, 7));
        // Length 11 is symbol 265 (0001001) with one extra bit 0.
        assert_eq!(length(11), (0b100_1000, 8));
        assert_eq!(length(12), (0b1100_1000, 8));
        // Length 258 is symbol 285 (11000101), no extra bits.
        assert_eq!(length(258), (0b1010_0011, 8));
        // Length 257 is symbol 284 (11000100) with 5 extra bits 11110.
        assert_eq!(length(257), ((0b11110 << 8) | 0b0010_0011, 13));
        assert_eq!(distance(1), (0, 5));
        // Distance 32,768 is code 29 (11101) with 13 extra bits all set.
        assert_eq!(distance(32_768), ((0x1FFF << 5) | 0b10111, 18));
        assert_eq!(distance(5), (0b00100, 6));
    }
}
