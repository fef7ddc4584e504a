//! `row_rules`: the row checks of issue #28 on one `canonicals.ndjson` row
//! (the input, without its newline): the merge hash recomputed by
//! `validate`'s fast path and by the reference path, the string rules, the
//! terminal escaping and the free-text fitting export applies.
//!
//! Invariants checked:
//! - where the fast path gives a merge hash, the row parses and
//!   `merge_hash::compute` of its identity gives the same hash;
//! - a row the reference path accepts holds its own merge hash, no NUL in
//!   any string and no control character in any identifier (a second,
//!   independent statement of the rules);
//! - every string of a parsed row, escaped for a terminal, holds nothing a
//!   terminal acts on;
//! - what export sends for a row (`osv::outgoing_canonical`) has a title
//!   and summary without NUL and within the field limit once encoded.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stella::bundle::{Limits, check_canonical_row, fast_merge_hash};
use stella::escape;
use stella::model::merge_hash::compute;
use stella::model::{Canonical, RangeEvent};

fuzz_target!(|line: &[u8]| {
    if let Some(fast) = fast_merge_hash(line) {
        let row: Canonical =
            serde_json::from_slice(line).expect("a row the fast path takes parses");
        assert_eq!(
            fast,
            identity_hash(&row),
            "the fast merge hash is compute's"
        );
    }
    let Ok(row) = serde_json::from_slice::<Canonical>(line) else {
        return;
    };
    if check_canonical_row(line).is_ok() {
        assert_eq!(
            row.merge_hash,
            identity_hash(&row),
            "an accepted row holds its hash"
        );
        let (idents, texts) = strings(&row);
        assert!(
            idents.iter().all(|s| !s.chars().any(char::is_control)),
            "identifiers hold no control"
        );
        assert!(
            texts.iter().all(|s| !s.contains('\0')),
            "no text holds a NUL"
        );
    }
    let (idents, texts) = strings(&row);
    for s in idents.iter().chain(&texts) {
        assert!(
            !escape::terminal(s).chars().any(escape::is_unsafe),
            "escaped for a terminal"
        );
    }
    let mut with_newline = line.to_vec();
    with_newline.push(b'\n');
    if let Some(out) = stella::osv::outgoing_canonical(&with_newline) {
        let sent: Canonical = serde_json::from_slice(&out).expect("a fitted row parses");
        let limit = Limits::default().max_field_bytes as usize;
        for text in [&sent.title, &sent.summary] {
            assert!(!text.contains('\0'), "a fitted text holds no NUL");
            assert!(
                serde_json::to_string(text).unwrap().len() - 2 <= limit,
                "a fitted text fits"
            );
        }
    }
});

fn identity_hash(c: &Canonical) -> String {
    compute(
        &c.cve,
        &c.affects_key,
        &c.version_range,
        &c.weaknesses,
        &c.patch_lineage,
    )
}

/// A row's identifiers and its free text (title and summary).
fn strings(c: &Canonical) -> (Vec<&str>, Vec<&str>) {
    let mut idents = vec![c.cve.as_str(), &c.affects_key, &c.merge_hash];
    let options = [&c.cvss_vector, &c.published, &c.modified];
    idents.extend(options.into_iter().flatten().map(String::as_str));
    for r in &c.version_range {
        idents.push(&r.range_type);
        idents.extend(r.repo.as_deref());
        idents.extend(r.events.iter().map(|e| match e {
            RangeEvent::Introduced(v)
            | RangeEvent::Fixed(v)
            | RangeEvent::LastAffected(v)
            | RangeEvent::Limit(v) => v.as_str(),
        }));
    }
    idents.extend(
        c.weaknesses
            .iter()
            .chain(&c.patch_lineage)
            .map(String::as_str),
    );
    (idents, vec![&c.title, &c.summary])
}
