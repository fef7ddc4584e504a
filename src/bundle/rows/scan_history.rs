//! The fast path of reading a row's `history` (format 1.1): one pass over
//! serde_json's compact spelling of [`History`](crate::model::History),
//! with every rule of `model::history::check` applied to the bytes.
//!
//! Invariant (as for `scan.rs`): it may refuse too much, never too little.
//! A history it accepts is one the reference path (serde, serialize again,
//! `history::check`) accepts; anything else goes to the reference path,
//! which decides and words the error.

use super::lexer::Scanner;
use crate::model::history::MAX_SITES;
use crate::model::is_valid_site_id;

impl Scanner<'_> {
    /// An optional `,"history":{…}` before a row's closing brace.
    pub(super) fn opt_history(&mut self) -> Option<()> {
        if self.peek(b",\"history\":") {
            self.lit(b",\"history\":")?;
            self.history()?;
        }
        Some(())
    }

    fn history(&mut self) -> Option<()> {
        self.lit(b"{\"origin\":")?;
        let origin = self.plain()?;
        self.lit(b",\"vv\":{")?;
        let (mut last, mut sites, mut has_origin): (&[u8], usize, bool) = (b"", 0, false);
        loop {
            if sites > 0 {
                self.lit(b",")?;
            }
            let site = self.plain()?;
            self.lit(b":")?;
            let count = self.number()?;
            let valid = std::str::from_utf8(site).is_ok_and(is_valid_site_id);
            if !valid || count == 0 || (sites > 0 && site <= last) {
                return None;
            }
            has_origin |= site == origin;
            (last, sites) = (site, sites + 1);
            if sites > MAX_SITES {
                return None;
            }
            if self.peek(b"}") {
                break;
            }
        }
        self.lit(b"},\"modified\":")?;
        let modified = self.plain()?;
        if !modified.is_empty() && !is_clock(modified) {
            return None;
        }
        self.lit(b",\"lamport\":")?;
        let lamport = self.number()?;
        self.lit(b"}")?;
        (has_origin && lamport > 0).then_some(())
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, a real UTC time from 1970 to 9999: what
/// `history::clock` writes, checked without a date parser (one per row on
/// the validate path). Leap seconds and other years go to the reference.
fn is_clock(t: &[u8]) -> bool {
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = t.get(range)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let layout = t.len() == 24
        && [
            (4, b'-'),
            (7, b'-'),
            (10, b'T'),
            (13, b':'),
            (16, b':'),
            (19, b'.'),
            (23, b'Z'),
        ]
        .iter()
        .all(|&(at, c)| t.get(at) == Some(&c));
    let fields = (
        digits(0..4),
        digits(5..7),
        digits(8..10),
        digits(11..13),
        digits(14..16),
        digits(17..19),
        digits(20..23),
    );
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s), Some(_)) = fields else {
        return false;
    };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    layout && (1970..=9999).contains(&y) && (1..=days).contains(&d) && h < 24 && mi < 60 && s < 60
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::History;

    fn fast(h: &[u8]) -> bool {
        let line = [b"{\"x\":1".as_slice(), h, b"}"].concat();
        Scanner::new(&line).is_some_and(|mut s| {
            s.lit(b"{\"x\":1").is_some()
                && s.opt_history().is_some()
                && s.lit(b"}").is_some()
                && s.end().is_some()
        })
    }

    fn reference(h: &History) -> bool {
        crate::model::history::check(h).is_ok()
    }

    #[test]
    fn accepts_what_the_writer_writes() {
        let a = History::next("site-a", None, Some("2025-01-01T00:00:00Z"));
        let b = History::next("site-b", Some(&a), None);
        for h in [&a, &b] {
            let text = serde_json::to_vec(h).unwrap();
            assert!(fast(&[b",\"history\":".as_slice(), &text].concat()));
            assert!(reference(h));
        }
        assert!(fast(b""), "no history at all");
    }

    #[test]
    fn a_clock_passes_only_where_the_reference_round_trips() {
        use crate::model::history::clock;
        for t in [
            "2024-02-29T23:59:59.999Z",
            "1970-01-01T00:00:00.000Z",
            "2025-12-31T12:00:00.000Z",
        ] {
            assert!(is_clock(t.as_bytes()), "{t}");
            assert_eq!(clock(Some(t)), t);
        }
        for t in [
            "2023-02-29T00:00:00.000Z",
            "2025-13-01T00:00:00.000Z",
            "2025-04-31T00:00:00.000Z",
            "2025-01-01T24:00:00.000Z",
            "2025-01-01T00:00:60.000Z",
            "2025-01-01T00:00:00Z",
            "2025-01-01 00:00:00.000Z",
            "1969-12-31T23:59:59.999Z",
            "2025-01-01T00:00:00.000+",
        ] {
            assert!(!is_clock(t.as_bytes()), "{t}");
        }
    }

    #[test]
    fn refuses_what_the_reference_refuses() {
        for bad in [
            r#"{"origin":"a","vv":{"b":1},"modified":"","lamport":1}"#,
            r#"{"origin":"a","vv":{"a":0},"modified":"","lamport":1}"#,
            r#"{"origin":"a","vv":{"a":1},"modified":"","lamport":0}"#,
            r#"{"origin":"a","vv":{"b":1,"a":1},"modified":"","lamport":1}"#,
            r#"{"origin":"a","vv":{"a":1,"a":2},"modified":"","lamport":1}"#,
            r#"{"origin":"a","vv":{"a":01},"modified":"","lamport":1}"#,
            r#"{"origin":"a","vv":{},"modified":"","lamport":1}"#,
            r#"{"origin":"a","vv":{"a":1},"modified":"2025-01-01T00:00:00Z","lamport":1}"#,
            r#"{"origin":"a","vv":{"a":1},"modified":"2025-02-30T00:00:00.000Z","lamport":1}"#,
            r#"{"origin":"a","vv":{"../x":1,"a":1},"modified":"","lamport":1}"#,
            r#"{"origin":"a","vv":{"a":1},"lamport":1,"modified":""}"#,
            r#"{"origin":"a","vv":{"a":18446744073709551616},"modified":"","lamport":1}"#,
        ] {
            let text = format!(",\"history\":{bad}");
            assert!(!fast(text.as_bytes()), "{bad}");
            if let Ok(h) = serde_json::from_str::<History>(bad) {
                let again = serde_json::to_string(&h).unwrap();
                assert!(again != bad || !reference(&h), "{bad}");
            }
        }
    }
}
