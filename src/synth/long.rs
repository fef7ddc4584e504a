//! The long-text shape: canonicals the size of real, wordy OSV advisories.
//!
//! Beside what the default shape holds, a record carries a `details`-length
//! body and a list of references in its summary, a CVSS v3 or v4 vector,
//! two or three ranges (ECOSYSTEM, SEMVER, GIT with a repository) of two to
//! five events each, one or two CWEs and one or two fix commits. A row is
//! about 1.6 KB of JSON (the default shape's, 0.9 KB). Like the default
//! shape, round `r` changes only the text and `modified`.
//!
//! Invariant: ranges, CWEs (by number) and commits are stored as the merge
//! hash normalizes them, as every row stella writes has them: a row reads
//! back equal to what was put, and `validate` checks it on its fast path
//! (`bundle/rows/identity.rs`), as it would a real site's rows.

use super::{Rng, text};
use crate::model::merge_hash::{self, normalize_ranges};
use crate::model::{Canonical, CanonicalRecord, RangeEvent, Status, VersionRange, canonical_id};

const ORGS: &[&str] = &[
    "acme",
    "opensource",
    "pallets",
    "psf",
    "nodejs",
    "rustsec",
    "encode",
];
const V4: &[&str] = &[
    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
    "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:L/VI:L/VA:N/SC:L/SI:L/SA:N",
    "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
    "CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N",
];
const TYPES: &[&str] = &["ECOSYSTEM", "SEMVER", "GIT", "ECOSYSTEM"];

/// Canonical `i` of the long shape (with its edges) as round `round` leaves it.
pub fn record(seed: u64, i: u64, round: u32) -> CanonicalRecord {
    let mut rng = Rng::new(seed, i);
    let year = 2000 + rng.below(26);
    let cve = super::cve(year, i);
    let (ecosystem, package) = text::package(&mut rng);
    let affects_key = format!("pkg:{ecosystem}/{package}");
    let repo = format!("https://github.com/{}/{package}", rng.pick(ORGS));
    let fixed = text::version(&mut rng);
    let version_range = ranges(&mut rng, &repo, &fixed);
    let weaknesses: Vec<String> = (0..1 + rng.below(2))
        .map(|_| rng.pick(text::CWES).to_owned())
        .collect();
    let weaknesses = merge_hash::normalize_weaknesses(&weaknesses);
    let lineage: Vec<String> = (0..1 + rng.below(2)).map(|_| rng.hex(40)).collect();
    let patch_lineage = merge_hash::normalize_lineage(&lineage);
    let hash = merge_hash::compute(
        &cve,
        &affects_key,
        &version_range,
        &weaknesses,
        &patch_lineage,
    );
    let id = canonical_id(&hash);
    let short = text::summary(&mut rng, &package, &fixed, 0);
    let title: String = short.chars().take(120).collect();
    let mut summary = format!("{short}\n\n{}", details(&mut rng, &package, &fixed));
    summary.push_str(&references(&mut rng, &cve, &repo, &patch_lineage));
    if round > 0 {
        summary.push_str(&format!(
            "\n\nRevision {round}: the affected range was re-analysed."
        ));
    }
    let published = text::time(&mut rng, year);
    let cvss_vector = match rng.below(2) {
        0 => rng.pick(text::VECTORS_CVSS),
        _ => rng.pick(V4),
    };
    let edges = super::edges(&mut rng, id, &hash, year, i);
    CanonicalRecord {
        canonical: Canonical {
            history: None,
            id,
            cve,
            affects_key,
            merge_hash: hash,
            status: Status::Active,
            severity: text::severity(&mut rng),
            title,
            summary,
            cvss_vector: Some(cvss_vector.to_owned()),
            version_range,
            weaknesses,
            patch_lineage,
            modified: Some(text::modified(&published, round)),
            published: Some(published),
        },
        edges,
    }
}

/// Two or three ranges of one or two introduced/fixed pairs each (and the
/// first one's last fix, `fixed`); normalized as the merge hash would.
fn ranges(rng: &mut Rng, repo: &str, fixed: &str) -> Vec<VersionRange> {
    let ranges: Vec<VersionRange> = (0..2 + rng.below(2))
        .map(|k| {
            let range_type = TYPES[k % TYPES.len()];
            let git = range_type == "GIT";
            let value = |rng: &mut Rng| match git {
                true => rng.hex(40),
                false => text::version(rng),
            };
            let mut events = Vec::new();
            for _ in 0..1 + rng.below(2) {
                events.push(RangeEvent::Introduced(value(rng)));
                events.push(RangeEvent::Fixed(value(rng)));
            }
            if k == 0 {
                events.push(RangeEvent::Fixed(fixed.to_owned()));
            }
            VersionRange {
                range_type: range_type.to_owned(),
                repo: git.then(|| repo.to_owned()),
                events,
            }
        })
        .collect();
    normalize_ranges(&ranges)
}

/// One to three sentences about the flaw, OSV `details` style.
fn details(rng: &mut Rng, package: &str, fixed: &str) -> String {
    let sentences = 1 + rng.below(3);
    let mut out = String::new();
    for k in 0..sentences {
        let sentence = match (k + rng.below(2)) % 6 {
            0 => format!(
                "{} exists in {} of {package}.",
                rng.pick(text::CLASSES),
                rng.pick(text::PARTS)
            ),
            1 => format!(
                "An attacker can {} via {} when {} processes untrusted input.",
                rng.pick(text::IMPACTS),
                rng.pick(text::VECTORS),
                rng.pick(text::PARTS)
            ),
            2 => format!(
                "The issue was introduced in version {} and is fixed in {fixed}.",
                text::version(rng)
            ),
            3 => format!(
                "Deployments that expose {} to {} are at risk.",
                rng.pick(text::PARTS),
                rng.pick(text::ACTORS)
            ),
            4 => format!(
                "As a workaround, disable {} or restrict access to it until an upgrade is possible.",
                rng.pick(text::PARTS)
            ),
            _ => "The fix validates the input before use and adds regression tests.".to_owned(),
        };
        if k > 0 {
            out.push(' ');
        }
        out.push_str(&sentence);
    }
    out
}

/// A references list: the CVE, the fix commits and a few tracker links.
fn references(rng: &mut Rng, cve: &str, repo: &str, commits: &[String]) -> String {
    let mut out = format!("\n\nReferences:\n- https://nvd.nist.gov/vuln/detail/{cve}");
    for commit in commits {
        out.push_str(&format!("\n- {repo}/commit/{commit}"));
    }
    for _ in 0..rng.below(2) {
        let link = match rng.below(4) {
            0 => format!("{repo}/issues/{}", 1 + rng.below(5000)),
            1 => format!("{repo}/pull/{}", 1 + rng.below(5000)),
            2 => format!("https://security-tracker.debian.org/tracker/{cve}"),
            _ => format!("{repo}/releases"),
        };
        out.push_str(&format!("\n- {link}"));
    }
    out
}
