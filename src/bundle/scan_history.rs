//! The fast path of reading a row's `history` (format 1.1): one pass over
//! serde_json's compact spelling of [`History`](crate::model::History),
//! with every rule of `model::history::check` applied to the bytes.
//!
//! Invariant (as for `scan.rs`): it may refuse too much, never too little.
//! A history it accepts is one the reference path (serde, serialize again,
//! `history::check`) accepts; anything else goes to the reference path,
//! which decides and words the error.

use super::lexer::Scanner;
use crate::model::history::{MAX_SITES, clock};
use crate::site::is_valid_site_id;

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
        let modified = std::str::from_utf8(self.plain()?).ok()?;
        if !modified.is_empty() && clock(Some(modified)) != modified {
            return None;
        }
        self.lit(b",\"lamport\":")?;
        let lamport = self.number()?;
        self.lit(b"}")?;
        (has_origin && lamport > 0).then_some(())
    }
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
