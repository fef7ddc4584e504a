//! What ingest keeps of a record, so that every peer accepts the rows it
//! makes: the limits and rules that the bundle reader enforces on import,
//! applied before anything is stored. A site can then never export a row
//! that its peers refuse (issue #28).
//!
//! The rules (README, Formats: ingest limits), deterministic, so that two sites
//! ingesting the same record store the same rows:
//! - Free text (a canonical's `title` and `summary`): each NUL (U+0000)
//!   becomes U+FFFD, since no store can keep a NUL. A text whose JSON
//!   encoding is over the field limit (256 KiB) is cut after the last whole
//!   character that lets it end with [`CUT_MARK`] within the limit.
//! - Anything else that a peer would refuse refuses the record, naming the
//!   rule: an identifier with a control character, an indexed key over 512
//!   bytes, another value over the field limit, a row over the line limit.
//!   [`check`] runs the reader's own checks (`bundle::check_record`) on the
//!   rows as a bundle would carry them, so the two cannot disagree.
//!
//! Export applies the free-text rule too ([`outgoing_canonical`]), to rows
//! a store kept from before it: a site that already holds a long or NUL
//! text sends it fitted, as its ingest would store it now.

use crate::bundle::{BundleError, Limits, check_record};
use crate::model::{Canonical, CanonicalRecord};

/// How a cut text ends.
pub const CUT_MARK: &str = " [… cut by stella: over the 262144-byte limit of a bundle field]";

/// `text` with its NULs replaced and, when its JSON encoding is over the
/// field limit, cut to fit.
pub(super) fn text(text: String) -> String {
    let text = match text.contains('\0') {
        true => text.replace('\0', "\u{fffd}"),
        false => text,
    };
    let limit = Limits::default().max_field_bytes;
    // A character takes at most 6 bytes once encoded (`\u00XX`).
    if (text.len() as u64) <= limit / 6 || encoded_len(&text) <= limit {
        return text;
    }
    let budget = limit - encoded_len(CUT_MARK);
    let mut used = 0;
    let end = text
        .char_indices()
        .find(|(_, c)| {
            used += char_len(*c);
            used > budget
        })
        .map_or(text.len(), |(at, _)| at);
    let mut cut = text;
    cut.truncate(end);
    cut.push_str(CUT_MARK);
    cut
}

/// A stored canonical line (ending in `\n`) as ingest would make it now:
/// `Some` new line when its title or summary holds a NUL or is over the
/// field limit, `None` when it goes out as it is. Only a line over the
/// limit or with a NUL escape is parsed: the common line costs one search.
pub fn outgoing_canonical(line: &[u8]) -> Option<Vec<u8>> {
    let body = line.strip_suffix(b"\n").unwrap_or(line);
    let long = body.len() as u64 > Limits::default().max_field_bytes;
    if !long && !has_nul_escape(body) {
        return None;
    }
    let mut row: Canonical = serde_json::from_slice(body).ok()?;
    let (title, summary) = (text(row.title.clone()), text(row.summary.clone()));
    if (&title, &summary) == (&row.title, &row.summary) {
        return None;
    }
    (row.title, row.summary) = (title, summary);
    let mut fitted = serde_json::to_vec(&row).ok()?;
    fitted.push(b'\n');
    Some(fitted)
}

/// `\u0000` as an escape in JSON text: each `\` opens an escape of the
/// character after it (one search for `\`, which most rows lack).
fn has_nul_escape(json: &[u8]) -> bool {
    let mut from = 0;
    while let Some(at) = json
        .get(from..)
        .and_then(|rest| memchr::memchr(b'\\', rest))
    {
        let at = from + at;
        if json.get(at + 1..at + 6) == Some(b"u0000") {
            return true;
        }
        from = at + 2;
    }
    false
}

/// The bytes serde_json writes for `text` between the quotes.
fn encoded_len(text: &str) -> u64 {
    text.chars().map(char_len).sum()
}

fn char_len(c: char) -> u64 {
    match c {
        '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
        c if c < ' ' => 6,
        c => c.len_utf8() as u64,
    }
}

/// Why a peer would refuse `record`'s rows, in words that fit a record
/// (the reader's error without the bundle line it would name).
pub(super) fn check(record: &CanonicalRecord) -> Result<(), String> {
    check_record(record).map_err(|e| match e {
        BundleError::Row { fault, .. } => fault.to_string(),
        BundleError::FieldTooLong {
            field, size, limit, ..
        } => format!("field `{field}` holds a string of {size} bytes, over the limit of {limit}"),
        BundleError::LineTooLong { limit, .. } => {
            format!("its row would be over the {limit}-byte limit of a bundle line")
        }
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: usize = 256 << 10;

    #[test]
    fn stored_rows_go_out_fitted() {
        let raw = br#"{"id":"PYSEC-2099-9","summary":"t","affected":[{"package":{"purl":"pkg:pypi/a"}}]}"#;
        let mut c = crate::osv::convert(raw).unwrap().remove(0).canonical;
        let line = |c: &Canonical| [serde_json::to_vec(c).unwrap(), b"\n".to_vec()].concat();
        c.summary = "a \\u0000 literal, not a NUL".into();
        assert_eq!(outgoing_canonical(&line(&c)), None);
        c.title = "NUL\0here".into();
        let fitted: Canonical =
            serde_json::from_slice(&outgoing_canonical(&line(&c)).unwrap()).unwrap();
        assert_eq!(fitted.title, "NUL\u{fffd}here");
        c.title = "t".into();
        c.summary = "s".repeat(300_000);
        let out = outgoing_canonical(&line(&c)).unwrap();
        assert!(out.ends_with(b"\n"));
        let fitted: Canonical = serde_json::from_slice(&out).unwrap();
        assert_eq!(fitted.summary, text(c.summary.clone()));
        assert_eq!((fitted.merge_hash, fitted.id), (c.merge_hash, c.id));
    }

    #[test]
    fn nul_becomes_the_replacement_character() {
        assert_eq!(text("a\0b\0".into()), "a\u{fffd}b\u{fffd}");
        assert_eq!(text("plain".into()), "plain");
    }

    #[test]
    fn text_over_the_limit_is_cut_to_fit_exactly() {
        let exact = "x".repeat(LIMIT);
        assert_eq!(text(exact.clone()), exact);
        let cut = text("y".repeat(300_000));
        assert_eq!(encoded_len(&cut), LIMIT as u64);
        assert!(cut.ends_with(CUT_MARK));
        assert_eq!(cut.len() - CUT_MARK.len(), LIMIT - CUT_MARK.len());
        // Escapes count as encoded: 300,000 quotes encode to 600,000 bytes.
        let quotes = text("\"".repeat(300_000));
        assert!(encoded_len(&quotes) <= LIMIT as u64);
        assert!(encoded_len(&quotes) > LIMIT as u64 - 2);
        // A multi-byte character is never split.
        let wide = text("é".repeat(200_000));
        assert!(wide.ends_with(CUT_MARK));
        assert!(encoded_len(&wide) <= LIMIT as u64);
    }
}
