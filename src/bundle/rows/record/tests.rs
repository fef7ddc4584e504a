//! `check_record` against the full reading it stands for: each row
//! serialized, parsed back by the reader (`parse_row`, one-spelling rule
//! included) and the rules checked on what was parsed. The two must give
//! the same answer, error and all, for well-formed records, records that
//! break one rule, and any record at all.

use proptest::prelude::*;

use super::*;
use crate::bundle::tests::{canonical, edge};
use crate::model::tests::arb_record;

/// The full reading, as `check_record` was first written.
fn reading_back(record: &CanonicalRecord) -> Result<(), BundleError> {
    let limits = Limits::default();
    let mut again = Vec::new();
    let c: Canonical = read_back(Member::Canonicals, &record.canonical, &limits, &mut again)?;
    check_canonical(1, &c)?;
    for edge in &record.edges {
        let e: SourceEdge = read_back(Member::Edges, edge, &limits, &mut again)?;
        check_edge(1, &e, &c.merge_hash)?;
    }
    Ok(())
}

fn read_back<T: serde::Serialize + serde::de::DeserializeOwned>(
    member: Member,
    row: &T,
    limits: &Limits,
    again: &mut Vec<u8>,
) -> Result<T, BundleError> {
    let line = serde_json::to_vec(row).unwrap();
    if line.len() as u64 + 1 > limits.max_line_bytes {
        return Err(BundleError::LineTooLong {
            path: member.path(),
            line: 1,
            limit: limits.max_line_bytes,
        });
    }
    parse_row(member.path(), 1, &line, limits.max_field_bytes, again)
}

fn same(record: &CanonicalRecord) {
    assert_eq!(
        format!("{:?}", check_record(record)),
        format!("{:?}", reading_back(record)),
        "{record:?}"
    );
}

/// A well-formed record with short or long texts and one to three edges.
fn well_formed(i: u64) -> CanonicalRecord {
    let title = "a cross-site scripting flaw ".repeat(1 + i as usize * 40);
    let c = canonical(
        &format!("CVE-2024-{}", 1000 + i),
        &format!("pkg{i}"),
        &title,
    );
    let edges = (0..=i % 3)
        .map(|k| edge(&c, "osv", &format!("GHSA-{i}-{k}")))
        .collect();
    CanonicalRecord {
        canonical: c,
        edges,
    }
}

/// Well-formed records, short and long, and each with one rule
/// broken: every check `check_record` makes is reached, and agrees.
#[test]
fn same_as_reading_back() {
    let field = Limits::default().max_field_bytes as usize;
    let mut refused = 0;
    for i in 0..10 {
        let base = well_formed(i);
        assert!(check_record(&base).is_ok(), "{base:?}");
        let breaks: [fn(&mut CanonicalRecord, usize); 7] = [
            |r, f| r.canonical.title = "t".repeat(f + 1),
            |r, f| r.canonical.summary = "\u{1}".repeat(f / 6 + 1),
            |r, _| r.canonical.merge_hash = "sha256:XYZ".into(),
            |r, _| r.canonical.cve = "CVE-2024-1\n".into(),
            |r, f| r.canonical.weaknesses = vec!["w".repeat(f / 2); 40],
            |r, _| r.edges[0].merge_hash = "sha256:".to_owned() + &"0".repeat(64),
            |r, f| r.edges[0].source_advisory_id = "a".repeat(f + 1),
        ];
        for (k, break_it) in breaks.iter().enumerate() {
            let mut broken = base.clone();
            break_it(&mut broken, field);
            same(&broken);
            refused += usize::from(check_record(&broken).is_err());
            if k == 0 {
                same(&base);
            }
        }
    }
    // Every break but possibly the CVE's (a key the rules may allow) refuses.
    assert!(refused >= 10 * 6, "{refused}");
}

proptest! {
    #[test]
    fn any_record_same_as_reading_back(record in arb_record()) {
        same(&record);
    }
}
