//! The merge-hash fast path (`identity.rs`) against `merge_hash::compute`:
//! where it gives a digest it is the merge hash's, and it gives one for
//! every normalized row whose identifiers need no escape (rows as stella
//! writes them).

use proptest::prelude::*;

use super::super::format::tag::tag_digest;
use super::super::rows::identity::Identity;
use super::super::rows::scan;
use crate::model::merge_hash::{
    compute, normalize_lineage, normalize_ranges, normalize_weaknesses,
};
use crate::model::tests::arb_canonical;
use crate::model::{Canonical, RangeEvent, VersionRange};

fn merge_hash(c: &Canonical) -> [u8; 32] {
    let tag = compute(
        &c.cve,
        &c.affects_key,
        &c.version_range,
        &c.weaknesses,
        &c.patch_lineage,
    );
    tag_digest(tag.as_bytes()).unwrap()
}

/// The fast path's digest of `c` as a row, if the scanner and it take it.
fn fast(c: &Canonical) -> Option<[u8; 32]> {
    let line = serde_json::to_vec(c).unwrap();
    let apart = scan::canonical(&line).and_then(|k| Identity::default().digest(&k));
    // `validate` serializes the ranges as it scans them: the same verdict.
    assert_eq!(Identity::default().digest_line(&line), apart);
    apart
}

fn normalized(mut c: Canonical) -> Canonical {
    c.version_range = normalize_ranges(&c.version_range);
    c.weaknesses = normalize_weaknesses(&c.weaknesses);
    c.patch_lineage = normalize_lineage(&c.patch_lineage);
    c
}

/// Identity fields as real advisories have them, in any order and case.
fn arb_real() -> impl Strategy<Value = Canonical> {
    let event = prop_oneof![
        "[0-9a-fA-F.]{1,8}".prop_map(RangeEvent::Introduced),
        "[0-9a-fA-F.]{1,8}".prop_map(RangeEvent::Fixed),
        "[0-9.]{1,8}".prop_map(RangeEvent::LastAffected),
        "[0-9.]{1,8}".prop_map(RangeEvent::Limit),
    ];
    let range = (
        prop::sample::select(vec!["ECOSYSTEM", "SEMVER", "GIT", "git"]),
        prop::option::of("https://github\\.com/[a-z]{1,3}(/|\\.git)?"),
        prop::collection::vec(event, 0..4),
    )
        .prop_map(|(kind, repo, events)| VersionRange {
            range_type: kind.into(),
            repo,
            events,
        });
    (
        arb_canonical(),
        "(CVE|cve)-20[0-9]{2}-[0-9]{4,6}|PYSEC-[0-9]{4}-[0-9]{1,3}",
        "pkg:(pypi|npm)/[a-z0-9%@.-]{1,12}",
        prop::collection::vec(range, 0..3),
        prop::collection::vec("(CWE|cwe)-[0-9]{1,4}", 0..3),
        prop::collection::vec("[0-9a-fA-F]{7,12}", 0..3),
    )
        .prop_map(|(mut c, cve, key, ranges, cwes, lineage)| {
            (c.cve, c.affects_key, c.version_range) = (cve, key, ranges);
            (c.weaknesses, c.patch_lineage) = (cwes, lineage);
            (c.title, c.summary, c.cvss_vector) = ("t \"q\"\n".into(), "s".into(), None);
            (c.published, c.modified) = (None, Some("2024-01-02T03:04:05.000Z".into()));
            c.merge_hash = "sha256:0".into();
            c
        })
}

/// Two ranges of one type and repo: the fast path leaves their order to
/// the reference path.
fn shared_type_and_repo(c: &Canonical) -> bool {
    let r = &c.version_range;
    r.windows(2)
        .any(|w| (&w[0].range_type, &w[0].repo) == (&w[1].range_type, &w[1].repo))
}

proptest! {
    #[test]
    fn a_fast_digest_is_the_merge_hash(c in arb_canonical(), normalize in any::<bool>()) {
        let c = if normalize { normalized(c) } else { c };
        if let Some(digest) = fast(&c) {
            prop_assert_eq!(digest, merge_hash(&c));
        }
    }

    #[test]
    fn real_identities_hash_fast_once_normalized(c in arb_real()) {
        if let Some(digest) = fast(&c) {
            prop_assert_eq!(digest, merge_hash(&c));
        }
        let c = normalized(c);
        let expected = (!shared_type_and_repo(&c)).then(|| merge_hash(&c));
        prop_assert_eq!(fast(&c), expected);
    }
}

#[test]
fn the_fuzz_seeds_are_rows_both_paths_accept() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seeds/row_rules");
    for name in ["vector-1", "vector-3", "man-vector-3"] {
        let line = std::fs::read(format!("{dir}/{name}")).unwrap();
        let row = super::super::check_canonical_row(&line).unwrap();
        let fast = super::super::fast_merge_hash(&line);
        assert_eq!(fast, Some(row.merge_hash), "{name}");
    }
    let bad = std::fs::read(format!("{dir}/nul-and-osc-title")).unwrap();
    let refused = super::super::check_canonical_row(&bad).unwrap_err();
    assert_eq!(refused.reason_code(), "string_has_nul");
}
