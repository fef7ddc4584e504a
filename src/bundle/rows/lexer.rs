//! The pieces of serde_json's compact output that `scan.rs` reads rows
//! with: a cursor over one line that accepts a literal, a string spelled as
//! serde_json spells it, an identifier (a string with no escape and no
//! control character), `null` or a string, a hyphenated lowercase UUID, an
//! array, and lowercase hex.
//!
//! Invariants: each piece accepts exactly serde_json's spelling of its value
//! and nothing else (no whitespace, no other escape, no uppercase digit);
//! anything unexpected is `None`, never a panic. No piece accepts a NUL
//! (`\u0000`), which no row may hold (`rules.rs`), so a row with one goes
//! to the reference path, which names it.

use uuid::Uuid;

use super::quote::quote_or_backslash;
use crate::bundle::format::tag::{lower_hex, nibble, tag_digest};

/// The range events, each with its opening, in the order a range lists them.
pub(super) const EVENTS: &[&[u8]] = &[
    b"{\"introduced\":",
    b"{\"fixed\":",
    b"{\"last_affected\":",
    b"{\"limit\":",
];

/// A cursor over one line, already known to be UTF-8 with no raw control
/// character below U+0020.
pub(super) struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// The line is printable ASCII: it holds no DEL (U+007F) and no C1
    /// control (U+0080 to U+009F), which serde_json writes raw.
    printable: bool,
}

impl<'a> Scanner<'a> {
    pub(super) fn new(line: &'a [u8]) -> Option<Self> {
        // Control characters below U+0020 are written escaped, never raw.
        // One fold (the compiler vectorizes it) finds both them and any byte
        // from DEL up; only a line with the latter needs the UTF-8 check.
        let odd = line
            .iter()
            .fold(0u8, |odd, b| odd | u8::from(b.wrapping_sub(0x20) >= 0x5f));
        if odd != 0 && (line.iter().any(|b| *b < 0x20) || std::str::from_utf8(line).is_err()) {
            return None;
        }
        Some(Self {
            bytes: line,
            pos: 0,
            printable: odd == 0,
        })
    }

    /// Where the cursor is: [`Self::since`] gives the bytes read from there.
    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    /// The bytes read since `start` (a [`Self::pos`]).
    pub(super) fn since(&self, start: usize) -> &'a [u8] {
        self.bytes.get(start..self.pos).unwrap_or_default()
    }

    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    pub(super) fn lit(&mut self, expected: &[u8]) -> Option<()> {
        starts_with(self.rest(), expected).then(|| {
            self.pos += expected.len();
        })
    }

    pub(super) fn one_of(&mut self, choices: &[&[u8]]) -> Option<()> {
        self.which(choices).map(drop)
    }

    /// The index of the choice that comes next.
    pub(super) fn which(&mut self, choices: &[&[u8]]) -> Option<usize> {
        let (i, found) = (choices.iter().enumerate()).find(|(_, c)| starts_with(self.rest(), c))?;
        self.pos += found.len();
        Some(i)
    }

    pub(super) fn end(&self) -> Option<()> {
        self.rest().is_empty().then_some(())
    }

    /// A string in canonical spelling.
    pub(super) fn string(&mut self) -> Option<()> {
        self.string_and_escapes().map(drop)
    }

    /// A string with no escape: its bytes are its value (UTF-8: cut at
    /// ASCII quotes out of a UTF-8 line).
    pub(super) fn plain(&mut self) -> Option<&'a [u8]> {
        match self.string_and_escapes()? {
            (body, false) => Some(body),
            (_, true) => None,
        }
    }

    /// A string's encoded bytes between the quotes, and whether they hold
    /// an escape.
    fn string_and_escapes(&mut self) -> Option<(&'a [u8], bool)> {
        self.lit(b"\"")?;
        let start = self.pos;
        let mut escapes = false;
        loop {
            let rest = self.rest();
            let stop = quote_or_backslash(rest)?;
            self.pos += stop;
            match rest.get(stop)? {
                b'"' => break,
                _ => self.pos += escape_len(self.rest())?,
            }
            escapes = true;
        }
        let body = self.bytes.get(start..self.pos)?;
        self.pos += 1;
        Some((body, escapes))
    }

    /// A `sha256:<64 lowercase hex>` tag's bytes between the quotes, read
    /// without searching for its end (nothing in hex ends a string or
    /// escapes) and checked by the one reading of a tag (`tag_digest`);
    /// `None`, and nothing read, for any other value, which the caller then
    /// reads as a string of its own kind.
    pub(super) fn sha256_tag(&mut self) -> Option<&'a [u8]> {
        const TAG: usize = b"sha256:".len() + 64;
        let quoted = self.rest().get(..TAG + 2)?;
        let (b'"', tag, b'"') = (quoted.first()?, quoted.get(1..=TAG)?, quoted.get(TAG + 1)?)
        else {
            return None;
        };
        tag_digest(tag)?;
        self.pos += TAG + 2;
        Some(tag)
    }

    /// An unsigned integer as serde_json writes it: digits, no leading
    /// zero, within `u64`.
    pub(super) fn number(&mut self) -> Option<u64> {
        let rest = self.rest();
        let len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let digits = rest.get(..len)?;
        if len == 0 || (len > 1 && digits.first() == Some(&b'0')) {
            return None;
        }
        let value = std::str::from_utf8(digits).ok()?.parse().ok()?;
        self.pos += len;
        Some(value)
    }

    /// Whether the next bytes are `expected` (nothing is read).
    pub(super) fn peek(&self, expected: &[u8]) -> bool {
        starts_with(self.rest(), expected)
    }

    /// An identifier: a string with no escape and no control character
    /// (`rules.rs`), whose bytes are its value.
    pub(super) fn ident(&mut self) -> Option<&'a [u8]> {
        let body = self.plain()?;
        match self.printable || !has_raw_control(body) {
            true => Some(body),
            false => None,
        }
    }

    /// `null` or an identifier.
    pub(super) fn ident_option(&mut self) -> Option<Option<&'a [u8]>> {
        match self.lit(b"null") {
            Some(()) => Some(None),
            None => self.ident().map(Some),
        }
    }

    pub(super) fn uuid(&mut self) -> Option<Uuid> {
        let quoted = self.rest().get(..38)?;
        let (b'"', hex, b'"') = (quoted.first()?, quoted.get(1..37)?, quoted.get(37)?) else {
            return None;
        };
        // Five groups of digits (8-4-4-4-12), hyphens between.
        let hyphens = [8, 13, 18, 23].iter().all(|&i| hex.get(i) == Some(&b'-'));
        let mut bytes = [0u8; 16];
        let groups = [
            (0..8, 0..4),
            (9..13, 4..6),
            (14..18, 6..8),
            (19..23, 8..10),
            (24..36, 10..16),
        ];
        for (digits, out) in groups {
            lower_hex(hex.get(digits)?, bytes.get_mut(out)?)?;
        }
        hyphens.then_some(())?;
        self.pos += 38;
        Some(Uuid::from_bytes(bytes))
    }

    pub(super) fn array<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<()> {
        self.lit(b"[")?;
        if self.lit(b"]").is_some() {
            return Some(());
        }
        loop {
            item(self)?;
            if self.lit(b"]").is_some() {
                return Some(());
            }
            self.lit(b",")?;
        }
    }

    /// A range, read for its form only (`scan::canonical`; `validate`
    /// reads ranges with `identity.rs`, which serializes them too).
    #[cfg(test)]
    pub(super) fn range(&mut self) -> Option<()> {
        self.lit(b"{\"type\":")?;
        self.ident()?;
        self.lit(b",\"repo\":")?;
        self.ident_option()?;
        self.lit(b",\"events\":")?;
        self.array(|s| {
            s.one_of(EVENTS)?;
            s.ident()?;
            s.lit(b"}")
        })?;
        self.lit(b"}")
    }
}

/// DEL or a C1 control (UTF-8 `C2 80` to `C2 9F`) in UTF-8 text.
fn has_raw_control(text: &[u8]) -> bool {
    text.iter()
        .zip(text.iter().skip(1).chain([&0]))
        .any(|(a, b)| *a == 0x7f || (*a == 0xc2 && (0x80..=0x9f).contains(b)))
}

/// `bytes` begins with `prefix` (the literals are short: a loop the
/// compiler inlines beats a call to `memcmp`).
fn starts_with(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes.len() >= prefix.len() && bytes.iter().zip(prefix).all(|(a, b)| a == b)
}

/// The length of the escape `at` opens, if serde_json writes it so.
fn escape_len(at: &[u8]) -> Option<usize> {
    match at.get(1)? {
        b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't' => Some(2),
        b'u' => {
            let [b'0', b'0', hi, lo] = at.get(2..6)? else {
                return None;
            };
            let byte = (nibble(*hi)? << 4) | nibble(*lo)?;
            let short = matches!(byte, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d);
            // NUL is spelled so, but no row may hold it.
            (byte != 0 && byte < 0x20 && !short).then_some(6)
        }
        _ => None,
    }
}
