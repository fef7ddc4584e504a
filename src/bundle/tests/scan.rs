//! The row scanner against the reference path (serde parse, serialize again,
//! compare): every row serde_json writes is accepted with its fields, and a
//! line the scanner accepts is always one the reference accepts, also with
//! one byte changed, inserted or removed anywhere.

use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::super::rows::scan;
use crate::model::tests::{arb_canonical, arb_edge, arb_text, arb_uuid};
use crate::model::{Canonical, Deletion, RangeEvent, SourceEdge};

/// The row the reference path reads from `line`, if it accepts it.
fn reference<T: DeserializeOwned + Serialize>(line: &[u8]) -> Option<T> {
    let row: T = serde_json::from_slice(line).ok()?;
    (serde_json::to_vec(&row).ok()? == line).then_some(row)
}

fn arb_deletion() -> impl Strategy<Value = Deletion> {
    (arb_uuid(), arb_text(), arb_text(), arb_text()).prop_map(|(id, m, at, reason)| Deletion {
        history: None,
        canonical_id: id,
        merge_hash: m,
        deleted_at: at,
        reason,
    })
}

/// What the scanner returns for a member's line, as owned values to compare.
fn scanned(member: usize, line: &[u8]) -> Option<Vec<String>> {
    match member {
        0 => scan::canonical(line).map(|k| {
            vec![
                k.id.to_string(),
                text(k.cve),
                text(k.affects_key),
                text(k.merge_hash),
            ]
        }),
        1 => scan::edge(line).map(|k| {
            let keys = [k.merge_hash, k.source, k.source_advisory_id];
            let mut v = vec![k.canonical_id.to_string()];
            v.extend(keys.map(text));
            v
        }),
        _ => scan::deletion(line).map(|k| vec![k.canonical_id.to_string(), text(k.merge_hash)]),
    }
}

/// A field the scanner picked out, which must be UTF-8.
fn text(field: &[u8]) -> String {
    String::from_utf8(field.to_vec()).expect("a field of a UTF-8 line")
}

/// The same fields from the reference path's row.
fn expected(member: usize, line: &[u8]) -> Option<Vec<String>> {
    match member {
        0 => reference::<Canonical>(line)
            .map(|c| vec![c.id.to_string(), c.cve, c.affects_key, c.merge_hash]),
        1 => reference::<SourceEdge>(line).map(|e| {
            let keys = [e.merge_hash, e.source, e.source_advisory_id];
            let mut v = vec![e.canonical_id.to_string()];
            v.extend(keys);
            v
        }),
        _ => reference::<Deletion>(line).map(|d| vec![d.canonical_id.to_string(), d.merge_hash]),
    }
}

/// The scanner accepts `line` only with the reference's field values.
fn agrees(member: usize, line: &[u8]) -> Result<(), TestCaseError> {
    if let Some(found) = scanned(member, line) {
        prop_assert_eq!(Some(found), expected(member, line), "{:?}", line);
    }
    Ok(())
}

fn arb_row() -> impl Strategy<Value = (usize, Vec<u8>)> {
    prop_oneof![
        arb_canonical().prop_map(|c| (0, serde_json::to_vec(&c).unwrap())),
        arb_edge().prop_map(|e| (1, serde_json::to_vec(&e).unwrap())),
        arb_deletion().prop_map(|d| (2, serde_json::to_vec(&d).unwrap())),
    ]
}

/// Written by serde_json with no escape: how the scanner reads the key
/// fields (which have rules of their own).
fn plain(text: &str) -> bool {
    serde_json::to_string(text).unwrap() == format!("\"{text}\"")
}

/// Plain and holding no control character: how the scanner reads an
/// identifier.
fn ident(text: &str) -> bool {
    plain(text) && !text.chars().any(char::is_control)
}

/// The key fields, identifiers and free text of a row serde_json wrote.
type Strings = (Vec<String>, Vec<String>, Vec<String>);

fn strings(member: usize, line: &[u8]) -> Strings {
    match member {
        0 => {
            let c: Canonical = serde_json::from_slice(line).unwrap();
            let keys = vec![c.cve, c.merge_hash];
            let mut idents = vec![c.affects_key];
            let options = c.cvss_vector.into_iter().chain(c.published);
            idents.extend(options.chain(c.modified));
            for r in c.version_range {
                idents.extend(std::iter::once(r.range_type).chain(r.repo));
                idents.extend(r.events.iter().map(|e| match e {
                    RangeEvent::Introduced(v)
                    | RangeEvent::Fixed(v)
                    | RangeEvent::LastAffected(v)
                    | RangeEvent::Limit(v) => v.clone(),
                }));
            }
            idents.extend(c.weaknesses.into_iter().chain(c.patch_lineage));
            (keys, idents, vec![c.title, c.summary])
        }
        1 => {
            let e: SourceEdge = serde_json::from_slice(line).unwrap();
            let idents = vec![
                e.source,
                e.source_advisory_id,
                e.vendor_status,
                e.source_sha256,
            ];
            (vec![e.merge_hash], idents, vec![])
        }
        _ => {
            let d: Deletion = serde_json::from_slice(line).unwrap();
            (vec![d.merge_hash], vec![d.deleted_at, d.reason], vec![])
        }
    }
}

proptest! {
    #[test]
    fn accepts_every_row_serde_writes((member, line) in arb_row()) {
        // Identifiers with an escape or a control character, and text with
        // a NUL, are left to the reference path.
        let (keys, idents, texts) = strings(member, &line);
        let fast = keys.iter().all(|k| plain(k))
            && idents.iter().all(|i| ident(i))
            && !texts.iter().any(|t| t.contains('\0'));
        prop_assert_eq!(scanned(member, &line).is_some(), fast);
        agrees(member, &line)?;
    }

    #[test]
    fn accepts_a_changed_row_only_as_the_reference_does(
        (member, line) in arb_row(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        how in 0..3u8,
    ) {
        let mut changed = line.clone();
        let i = at.index(changed.len() + 1);
        match how {
            0 if i < changed.len() => changed[i] = byte,
            1 => changed.insert(i, byte),
            _ if i < changed.len() => {
                changed.remove(i);
            }
            _ => changed.push(byte),
        }
        agrees(member, &changed)?;
    }
}

#[test]
fn refuses_other_spellings_the_reference_also_refuses() {
    let c = super::canonical("CVE-2024-1234", "pkg:pypi/a", "t");
    let edge = super::edge(&c, "pypa", "PYSEC-1");
    let line = serde_json::to_string(&edge).unwrap();
    assert!(scan::edge(line.as_bytes()).is_some());
    let id = edge.id.to_string();
    let variants = [
        line.replacen(',', ", ", 1),
        line.replacen(&id, &id.to_uppercase(), 1),
        line.replacen(&id, &id.replace('-', ""), 1),
        line.replacen("pypa", "py\\u0070a", 1),
        line.replacen("pypa", "py\\/pa", 1),
        line.replacen('}', ",\"extra\":1}", 1),
        format!("{line} "),
        format!(" {line}"),
    ];
    for v in &variants {
        assert_eq!(scan::edge(v.as_bytes()), None, "{v}");
        assert!(reference::<SourceEdge>(v.as_bytes()).is_none(), "{v}");
    }
}

#[test]
fn reads_the_escapes_serde_json_writes_in_other_fields() {
    let mut c = super::canonical("CVE-2024-1234", "pkg:pypi/a", "t");
    c.title = "a \"b\" \\ \n\t\u{1}\u{1f}\u{7f} é".into();
    c.summary = "\u{8}\u{c}\r\u{b}".into();
    let line = serde_json::to_vec(&c).unwrap();
    let keys = scan::canonical(&line).unwrap();
    assert_eq!((keys.id, keys.cve), (c.id, &b"CVE-2024-1234"[..]));
    let nul = b"\\u0000";
    for bad in [
        &b"\\u000a"[..],
        b"\\u000A",
        b"\\u0020",
        b"\\x",
        b"\\u00",
        nul,
    ] {
        let mut c = c.clone();
        c.title = "@".into();
        let text = serde_json::to_vec(&c).unwrap();
        let at = text.iter().position(|b| *b == b'@').unwrap();
        let mut line = text[..at].to_vec();
        line.extend_from_slice(bad);
        line.extend_from_slice(&text[at + 1..]);
        assert_eq!(
            scan::canonical(&line),
            None,
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

/// The digest tags (`merge_hash` of every row, an edge's `source_sha256`)
/// are read by their fixed shape: every byte of them, changed to any byte,
/// gives the reference path's answer, and a tag changed into another
/// string is still read as that string.
#[test]
fn reads_a_changed_digest_tag_as_the_reference_does() {
    let c = super::canonical("CVE-2024-1234", "pkg:pypi/a", "t");
    let deletion = Deletion {
        history: None,
        canonical_id: c.id,
        merge_hash: c.merge_hash.clone(),
        deleted_at: "2024-01-01T00:00:00.000Z".into(),
        reason: "withdrawn".into(),
    };
    let mut edge = super::edge(&c, "pypa", "PYSEC-1");
    edge.source_sha256 = format!("sha256:{}", "0a".repeat(32));
    let rows = [
        (0, serde_json::to_vec(&c).unwrap(), c.merge_hash.clone()),
        (1, serde_json::to_vec(&edge).unwrap(), c.merge_hash.clone()),
        (1, serde_json::to_vec(&edge).unwrap(), edge.source_sha256),
        (2, serde_json::to_vec(&deletion).unwrap(), c.merge_hash),
    ];
    let mut accepted = 0;
    for (member, line, tag) in rows {
        assert!(scanned(member, &line).is_some());
        let text = String::from_utf8(line.clone()).unwrap();
        let start = text.find(&tag).unwrap();
        // The quotes around the tag, and every byte inside them.
        for at in start - 1..=start + tag.len() {
            for byte in 0..=u8::MAX {
                let mut changed = line.clone();
                changed[at] = byte;
                if let Err(e) = agrees(member, &changed) {
                    panic!("{e}");
                }
                accepted += usize::from(scanned(member, &changed).is_some());
            }
        }
    }
    // The unchanged rows, and a tag's hex digit or prefix changed into
    // another string: read as a string, as the reference reads it.
    assert!(accepted > 4 * 73, "{accepted}");
}
