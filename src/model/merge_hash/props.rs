//! Properties of the merge hash normalization: normalizing is idempotent
//! (so hashing stored, already normalized ranges gives the hash of the raw
//! ones), and the spellings the module doc promises not to matter (range and
//! event order, CWE order and case, commit order and case, PURL case where
//! the type folds it) give the same hash.

use proptest::prelude::*;

use super::*;
use crate::model::purl;

/// Values as sources spell them: padded, hex in either case, versions.
fn arb_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ ]{0,2}[0-9a-fA-F]{1,8}[ ]{0,2}",
        "[ ]?[0-9]{1,2}(\\.[0-9]{1,2}){0,2}[ ]?",
        any::<String>().prop_map(|s| s.chars().take(8).collect()),
    ]
}

fn arb_repo() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        "[ ]?https://github\\.com/[a-z]{1,3}(\\.git){0,2}[/]{0,2}[ ]?(\\.git)?[/]?",
        any::<String>().prop_map(|s| s.chars().take(10).collect()),
    ])
}

fn arb_event() -> impl Strategy<Value = RangeEvent> {
    prop_oneof![
        arb_value().prop_map(RangeEvent::Introduced),
        arb_value().prop_map(RangeEvent::Fixed),
        arb_value().prop_map(RangeEvent::LastAffected),
        arb_value().prop_map(RangeEvent::Limit),
    ]
}

fn arb_ranges() -> impl Strategy<Value = Vec<VersionRange>> {
    let range = (
        prop_oneof![
            Just("GIT"),
            Just(" git"),
            Just("SEMVER"),
            Just("ecosystem ")
        ],
        arb_repo(),
        proptest::collection::vec(arb_event(), 0..5),
    )
        .prop_map(|(ty, repo, events)| VersionRange {
            range_type: ty.to_owned(),
            repo,
            events,
        });
    proptest::collection::vec(range, 0..4)
}

fn arb_cwes() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec("[ ]?(cwe|CWE|Cwe)-[0-9]{1,4}[ ]?|[a-z-]{0,5}", 0..5)
}

fn arb_commits() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec("[ ]?[0-9a-fA-F]{1,12}[ ]?|[g-z]{1,3}", 0..5)
}

/// A deterministic shuffle driven by `seed` (xorshift, Fisher–Yates).
fn permute<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        items.swap(i, (seed % (i as u64 + 1)) as usize);
    }
}

/// Flips the ASCII case of the characters whose bit in `mask` is set.
fn flip_case(text: &str, mask: u64) -> String {
    text.chars()
        .enumerate()
        .map(|(i, c)| match (mask >> (i % 64)) & 1 {
            1 if c.is_ascii_lowercase() => c.to_ascii_uppercase(),
            1 => c.to_ascii_lowercase(),
            _ => c,
        })
        .collect()
}

proptest! {
    #[test]
    fn normalizing_twice_is_normalizing_once(
        ranges in arb_ranges(), cwes in arb_cwes(), commits in arb_commits()
    ) {
        let once = normalize_ranges(&ranges);
        prop_assert_eq!(normalize_ranges(&once), once);
        let once = normalize_weaknesses(&cwes);
        prop_assert_eq!(normalize_weaknesses(&once), once);
        let once = normalize_lineage(&commits);
        prop_assert_eq!(normalize_lineage(&once), once);
    }

    #[test]
    fn hashing_normalized_input_gives_the_same_hash(
        ranges in arb_ranges(), cwes in arb_cwes(), commits in arb_commits()
    ) {
        let raw = compute("CVE-2024-1", "pkg:pypi/a", &ranges, &cwes, &commits);
        let normalized = compute(
            "CVE-2024-1",
            "pkg:pypi/a",
            &normalize_ranges(&ranges),
            &normalize_weaknesses(&cwes),
            &normalize_lineage(&commits),
        );
        prop_assert_eq!(raw, normalized);
    }

    #[test]
    fn order_and_case_of_lists_do_not_change_the_hash(
        ranges in arb_ranges(), cwes in arb_cwes(), commits in arb_commits(),
        seed in 1u64.., mask in any::<u64>(),
    ) {
        let mut shuffled = ranges.clone();
        permute(&mut shuffled, seed);
        for r in &mut shuffled {
            permute(&mut r.events, seed.rotate_left(7));
        }
        let mut cwes2: Vec<String> = cwes.iter().map(|c| flip_case(c, mask)).collect();
        permute(&mut cwes2, seed.rotate_left(13));
        let mut commits2: Vec<String> = commits.iter().map(|c| flip_case(c, mask)).collect();
        permute(&mut commits2, seed.rotate_left(29));
        prop_assert_eq!(
            compute("cve-2024-1 ", "pkg:npm/a", &shuffled, &cwes2, &commits2),
            compute("CVE-2024-1", "pkg:npm/a", &ranges, &cwes, &commits)
        );
    }

    #[test]
    fn purl_case_does_not_change_the_hash_where_the_type_folds_it(
        ty in proptest::sample::select(vec!["npm", "github", "deb", "apk", "composer", "hex"]),
        ns in "[a-z0-9]{1,6}", name in "[a-z0-9_.-]{1,10}", version in "[0-9.]{1,5}",
        mask in any::<u64>(),
    ) {
        let lower = format!("pkg:{ty}/{ns}/{name}@{version}");
        let key = purl::normalize(&lower).unwrap();
        let flipped = format!("{}@{version}", flip_case(&format!("pkg:{ty}/{ns}/{name}"), mask));
        prop_assert_eq!(purl::normalize(&flipped).unwrap(), key.clone());
        let pypi = purl::normalize(&flip_case(&format!("pkg:pypi/{name}"), mask)).unwrap();
        prop_assert_eq!(pypi, purl::normalize(&format!("pkg:pypi/{name}")).unwrap());
        prop_assert_eq!(
            compute("CVE-2024-1", &purl::normalize(&flipped).unwrap(), &[], &[], &[]),
            compute("CVE-2024-1", &key, &[], &[], &[])
        );
    }
}

/// Found by `normalizing_twice_is_normalizing_once`: a repo like `a.git.git`
/// or `a.git /` normalized to `a.git`, which normalized again to `a`, so the
/// hash of stored (normalized) ranges differed from the hash of the source.
#[test]
fn repo_suffixes_normalize_in_one_pass() {
    for repo in ["a.git.git", "a.git /", "a/.git/", " a//.git.git/ ", "a"] {
        let r = |repo: &str| VersionRange {
            range_type: "GIT".into(),
            repo: Some(repo.into()),
            events: vec![],
        };
        assert_eq!(normalize_ranges(&[r(repo)]), [r("a")], "{repo:?}");
    }
}
