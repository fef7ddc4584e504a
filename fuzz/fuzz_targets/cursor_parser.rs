//! `cursor_parser`: `str::parse::<Cursor>` on arbitrary text.
//!
//! Invariants checked: a cursor that parses prints as the exact input (the
//! text form is canonical) and parses back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stella::cursor::Cursor;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(cursor) = text.parse::<Cursor>() else {
        return;
    };
    let printed = cursor.to_string();
    assert_eq!(printed, text, "a parsed cursor prints as its input");
    assert_eq!(printed.parse::<Cursor>(), Ok(cursor));
});
