//! Untrusted text on a terminal: strings from bundles, from the store (which
//! holds what peers and upstream records sent) and from HTTP requests are
//! shown with every character that a terminal would act on written as a
//! visible escape, so that a title cannot set the window title, clear the
//! screen, move the cursor or forge a table row or an output line.
//!
//! Invariants: the escaped text holds no control character (Unicode Cc:
//! C0, DEL, C1) and no bidirectional or line-separator format character;
//! text without any is returned as it is, unallocated. `--json` output
//! never goes through here: JSON keeps the exact value (and escapes the
//! C0 controls itself).

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a terminal may act on `c` rather than print it: a control
/// character (C0, DEL, C1), a bidirectional control, or a line or paragraph
/// separator.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// `text` for one line of a terminal: each unsafe character as `\n`, `\r`,
/// `\t` or `\u{XX}`.
pub fn terminal(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// `text` for a terminal, keeping its line feeds (a message of several
/// lines); every other unsafe character is escaped as [`terminal`] does.
pub fn lines(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

fn escape(text: &str, keep_lf: bool) -> Cow<'_, str> {
    let unsafe_here = |c: char| is_unsafe(c) && !(keep_lf && c == '\n');
    if !text.chars().any(unsafe_here) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            _ if !unsafe_here(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
        }
    }
    Cow::Owned(out)
}

/// `text` escaped for a terminal and cut to `max` characters (with `…`):
/// how an error message quotes an untrusted value.
pub fn quoted(text: &str, max: usize) -> String {
    let shown = terminal(text);
    let mut out: String = shown.chars().take(max).collect();
    if out.len() < shown.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_escaped_and_the_rest_kept() {
        let attack = "a\u{1b}]0;pwned\u{7}\u{1b}[2J\r\nCVE-1\u{9b}31m\u{7f}\u{202e}é\t";
        assert_eq!(
            terminal(attack),
            "a\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\r\\nCVE-1\\u{9b}31m\\u{7f}\\u{202e}é\\t"
        );
        assert_eq!(lines("one\ntwo\u{1b}"), "one\ntwo\\u{1b}");
        assert!(matches!(terminal("plain é ü"), Cow::Borrowed("plain é ü")));
        assert_eq!(quoted("abc\u{0}def", 6), "abc\\u{…");
        assert_eq!(quoted("abc", 6), "abc");
    }

    proptest::proptest! {
        #[test]
        fn escaped_text_holds_nothing_a_terminal_acts_on(text in "\\PC*|[\\x00-\\x{a0}\\x{2028}\\x{202e}]*") {
            proptest::prop_assert!(!terminal(&text).chars().any(is_unsafe));
            proptest::prop_assert!(!lines(&text).chars().any(|c| is_unsafe(c) && c != '\n'));
        }
    }
}
