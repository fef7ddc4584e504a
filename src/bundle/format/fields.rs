//! The field-length cap: finds the first JSON string (key or value) longer
//! than a limit in untrusted bytes, before they are parsed, so that no error
//! message, row or store column ever carries an absurdly long string, and so
//! that a serde error quoting a value stays short.
//!
//! Invariants: the scan is one pass over the bytes with no allocation beyond
//! the name of the field it reports; it never fails and never panics, whatever
//! the input (invalid JSON or UTF-8 included): on input that is not JSON it
//! still measures everything between quotes, and the parser that runs next
//! reports the rest. Lengths are of the encoded bytes between the quotes.

/// A string over the cap: the key it belongs to and its encoded length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LongField {
    /// The nearest key before the string (the string itself if it is a key),
    /// shortened to [`NAME_MAX`] bytes; `-` when there is none.
    pub(crate) field: String,
    pub(crate) size: u64,
}

/// How much of a field name an error quotes.
const NAME_MAX: usize = 64;

/// The first string in `json` whose encoded length is over `limit` bytes.
pub(crate) fn first_long_string(json: &[u8], limit: u64) -> Option<LongField> {
    // Every string is a part of the input: a short input has no long string
    // (the common case, a row far under the cap, costs no scan).
    if json.len() as u64 <= limit {
        return None;
    }
    let mut key: &[u8] = b"-";
    let mut i = 0;
    while i < json.len() {
        if json.get(i) != Some(&b'"') {
            i += 1;
            continue;
        }
        let start = i + 1;
        let end = string_end(json, start);
        let body = json.get(start..end).unwrap_or_default();
        let is_key = json
            .get(end + 1..)
            .unwrap_or_default()
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            == Some(&b':');
        if is_key {
            key = body;
        }
        if body.len() as u64 > limit {
            return Some(LongField {
                field: name(key),
                size: body.len() as u64,
            });
        }
        i = end + 1;
    }
    None
}

/// [`first_long_string`] as the detail of a malformed-document error.
pub(crate) fn check_strings(json: &[u8], limit: u64) -> Result<(), String> {
    match first_long_string(json, limit) {
        None => Ok(()),
        Some(long) => Err(format!(
            "field `{}` holds a string of {} bytes, over the limit of {limit}",
            long.field, long.size
        )),
    }
}

/// The index of the quote closing a string that starts at `start` (or the
/// end of the input if it never closes).
fn string_end(json: &[u8], start: usize) -> usize {
    let mut escaped = false;
    for (offset, b) in json.get(start..).unwrap_or_default().iter().enumerate() {
        match (escaped, *b) {
            (true, _) => escaped = false,
            (false, b'\\') => escaped = true,
            (false, b'"') => return start + offset,
            _ => {}
        }
    }
    json.len()
}

fn name(key: &[u8]) -> String {
    let text = String::from_utf8_lossy(key);
    let mut cut: String = text.chars().take(NAME_MAX).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut.escape_debug().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long(json: &str, limit: u64) -> Option<(String, u64)> {
        first_long_string(json.as_bytes(), limit).map(|l| (l.field, l.size))
    }

    #[test]
    fn names_the_key_of_the_first_long_value() {
        let json = r#"{"a":"xy","b":["123","12345"],"c":"123456"}"#;
        assert_eq!(long(json, 5), Some(("c".into(), 6)));
        assert_eq!(long(json, 4), Some(("b".into(), 5)));
        assert_eq!(long(json, 6), None);
        assert_eq!(long(r#"{"a" : "xyz"}"#, 2), Some(("a".into(), 3)));
        assert_eq!(long(json, json.len() as u64 - 3), None);
        assert_eq!(long(r#""abc""#, 3), None);
        assert_eq!(long(r#""abcd""#, 3), Some(("-".into(), 4)));
    }

    #[test]
    fn escapes_are_measured_encoded_and_do_not_end_the_string() {
        assert_eq!(long(r#"{"k":"a\"b\\"}"#, 5), Some(("k".into(), 6)));
        assert_eq!(long(r#"{"k":"a\"b\\"}"#, 6), None);
    }

    #[test]
    fn long_keys_unterminated_strings_and_garbage_are_measured() {
        let key = "k".repeat(100);
        let json = format!(r#"{{"{key}":1}}"#);
        let (field, size) = long(&json, 10).unwrap();
        assert_eq!((field.chars().count(), size), (65, 100));
        assert!(field.ends_with('…'));
        assert_eq!(long(r#"["abcdef"#, 3), Some(("-".into(), 6)));
        assert_eq!(
            first_long_string(b"\xff\"\xfe\xfd\"", 1),
            Some(LongField {
                field: "-".into(),
                size: 2
            })
        );
        assert_eq!(long("", 0), None);
        assert_eq!(long("\"", 0), None);
    }
}
