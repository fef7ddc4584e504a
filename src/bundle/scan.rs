//! The fast path of reading a row: checks in one pass, with no allocation,
//! that a line is exactly how serde_json writes a model row, and picks out
//! the fields the row checks need.
//!
//! Invariants:
//! - It may refuse too much, never too little: a line it accepts is one the
//!   reference path in `rows.rs` (parse with serde, serialize again, compare
//!   the bytes) accepts, with the same field values. A line it refuses goes
//!   to the reference path, which decides and words any error, so a gap here
//!   costs speed, never a verdict. Tests hold it to that on generated rows,
//!   on rows with one byte changed, and under fuzzing.
//! - The grammar is serde_json's compact output for the model types: fields
//!   in declaration order, no whitespace, `null` for a missing option, UUIDs
//!   hyphenated in lowercase, and in strings only the escapes serde_json
//!   writes (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, and `\u00xx` in
//!   lowercase for the other control characters). The line must be UTF-8.
//! - Extracted strings are returned only when they hold no escape, so their
//!   bytes are their value; a row whose key fields hold one is refused here.

use uuid::Uuid;

/// The fields of a `canonicals.ndjson` row that the row checks read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct CanonicalKeys<'a> {
    pub(crate) id: Uuid,
    pub(crate) cve: &'a str,
    pub(crate) merge_hash: &'a str,
}

/// The fields of an `edges.ndjson` row that the row checks read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct EdgeKeys<'a> {
    pub(crate) canonical_id: Uuid,
    pub(crate) merge_hash: &'a str,
    pub(crate) source: &'a str,
    pub(crate) source_advisory_id: &'a str,
}

/// The fields of a `deletions.ndjson` row that the row checks read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct DeletionKeys<'a> {
    pub(crate) canonical_id: Uuid,
    pub(crate) merge_hash: &'a str,
}

const STATUS: &[&[u8]] = &[b"\"active\"", b"\"withdrawn\""];
const SEVERITY: &[&[u8]] = &[
    b"\"critical\"",
    b"\"high\"",
    b"\"medium\"",
    b"\"low\"",
    b"\"none\"",
    b"\"unknown\"",
];
const EVENTS: &[&[u8]] = &[
    b"{\"introduced\":",
    b"{\"fixed\":",
    b"{\"last_affected\":",
    b"{\"limit\":",
];

pub(crate) fn canonical(line: &[u8]) -> Option<CanonicalKeys<'_>> {
    let mut s = Scanner::new(line)?;
    s.lit(b"{\"id\":")?;
    let id = s.uuid()?;
    s.lit(b",\"cve\":")?;
    let cve = s.plain()?;
    s.lit(b",\"affects_key\":")?;
    s.string()?;
    s.lit(b",\"merge_hash\":")?;
    let merge_hash = s.plain()?;
    s.lit(b",\"status\":")?;
    s.one_of(STATUS)?;
    s.lit(b",\"severity\":")?;
    s.one_of(SEVERITY)?;
    for field in [&b",\"title\":"[..], b",\"summary\":"] {
        s.lit(field)?;
        s.string()?;
    }
    s.lit(b",\"cvss_vector\":")?;
    s.option()?;
    s.lit(b",\"version_range\":")?;
    s.array(Scanner::range)?;
    for field in [&b",\"weaknesses\":"[..], b",\"patch_lineage\":"] {
        s.lit(field)?;
        s.array(Scanner::string)?;
    }
    for field in [&b",\"published\":"[..], b",\"modified\":"] {
        s.lit(field)?;
        s.option()?;
    }
    s.lit(b"}")?;
    s.end()?;
    Some(CanonicalKeys {
        id,
        cve,
        merge_hash,
    })
}

pub(crate) fn edge(line: &[u8]) -> Option<EdgeKeys<'_>> {
    let mut s = Scanner::new(line)?;
    s.lit(b"{\"id\":")?;
    s.uuid()?;
    s.lit(b",\"canonical_id\":")?;
    let canonical_id = s.uuid()?;
    s.lit(b",\"merge_hash\":")?;
    let merge_hash = s.plain()?;
    s.lit(b",\"source\":")?;
    let source = s.plain()?;
    s.lit(b",\"source_advisory_id\":")?;
    let source_advisory_id = s.plain()?;
    for field in [&b",\"vendor_status\":"[..], b",\"source_sha256\":"] {
        s.lit(field)?;
        s.string()?;
    }
    s.lit(b"}")?;
    s.end()?;
    Some(EdgeKeys {
        canonical_id,
        merge_hash,
        source,
        source_advisory_id,
    })
}

pub(crate) fn deletion(line: &[u8]) -> Option<DeletionKeys<'_>> {
    let mut s = Scanner::new(line)?;
    s.lit(b"{\"canonical_id\":")?;
    let canonical_id = s.uuid()?;
    s.lit(b",\"merge_hash\":")?;
    let merge_hash = s.plain()?;
    for field in [&b",\"deleted_at\":"[..], b",\"reason\":"] {
        s.lit(field)?;
        s.string()?;
    }
    s.lit(b"}")?;
    s.end()?;
    Some(DeletionKeys {
        canonical_id,
        merge_hash,
    })
}

/// A cursor over one line, already known to be UTF-8 with no raw control
/// character.
struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn new(line: &'a [u8]) -> Option<Self> {
        // Control characters are written escaped, never raw. One fold (the
        // compiler vectorizes it) finds both them and any byte past ASCII;
        // only a line with the latter needs the UTF-8 check.
        let odd = line
            .iter()
            .fold(0u8, |odd, b| odd | u8::from(*b < 0x20) | (b >> 7));
        if odd != 0 && (line.iter().any(|b| *b < 0x20) || std::str::from_utf8(line).is_err()) {
            return None;
        }
        Some(Self {
            bytes: line,
            pos: 0,
        })
    }

    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    fn lit(&mut self, expected: &[u8]) -> Option<()> {
        starts_with(self.rest(), expected).then(|| {
            self.pos += expected.len();
        })
    }

    fn one_of(&mut self, choices: &[&[u8]]) -> Option<()> {
        let found = choices.iter().find(|c| starts_with(self.rest(), c))?;
        self.pos += found.len();
        Some(())
    }

    fn end(&self) -> Option<()> {
        self.rest().is_empty().then_some(())
    }

    /// A string in canonical spelling.
    fn string(&mut self) -> Option<()> {
        self.string_and_escapes().map(drop)
    }

    /// A string with no escape: its bytes are its value.
    fn plain(&mut self) -> Option<&'a str> {
        match self.string_and_escapes()? {
            // Cut at ASCII quotes out of a UTF-8 line: UTF-8 too.
            (body, false) => std::str::from_utf8(body).ok(),
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
            let stop = memchr::memchr2(b'"', b'\\', rest)?;
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

    fn option(&mut self) -> Option<()> {
        match self.lit(b"null") {
            Some(()) => Some(()),
            None => self.string(),
        }
    }

    fn uuid(&mut self) -> Option<Uuid> {
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

    fn array<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<()> {
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

    fn range(&mut self) -> Option<()> {
        self.lit(b"{\"type\":")?;
        self.string()?;
        self.lit(b",\"repo\":")?;
        self.option()?;
        self.lit(b",\"events\":")?;
        self.array(|s| {
            s.one_of(EVENTS)?;
            s.string()?;
            s.lit(b"}")
        })?;
        self.lit(b"}")
    }
}

/// `bytes` begins with `prefix` (the literals are short: a loop the
/// compiler inlines beats a call to `memcmp`).
fn starts_with(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes.len() >= prefix.len() && bytes.iter().zip(prefix).all(|(a, b)| a == b)
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

fn nibble(digit: u8) -> Option<u8> {
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
            (byte < 0x20 && !short).then_some(6)
        }
        _ => None,
    }
}
