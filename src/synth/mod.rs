//! Synthetic site data for benchmarks: a deterministic function of a seed.
//!
//! Record `i` of round `r` is the same on every machine and every run, so
//! two sites generated with the same arguments hold the same data and a
//! benchmark can regenerate exactly what it measures. Round 0 creates the
//! canonicals; a later round rewrites the text and `modified` time of the
//! records it touches (same merge hash: an update, not a new advisory).
//! Text is assembled from vocabulary lists so that zstd compresses it about
//! as well as real OSV advisories (≈5x), and every row passes the bundle
//! reader's checks (valid merge hash, derived ids, advisory keys).

mod long;
mod text;
mod write;

pub use write::{Plan, Written, write};

use crate::model::merge_hash;
use crate::model::{
    Canonical, CanonicalRecord, Deletion, RangeEvent, SourceEdge, Status, VersionRange,
    canonical_id, edge_id,
};

/// The kind of records to generate; see the module docs of each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Shape {
    /// Short texts, one range of two events, a CVSS v3 vector or none.
    #[default]
    Default,
    /// Long texts with references, CVSS v3 and v4, several ranges (`long.rs`).
    Long,
}

impl Shape {
    /// Canonical `i` of this shape (with its edges) as round `round` leaves it.
    pub fn record(self, seed: u64, i: u64, round: u32) -> CanonicalRecord {
        match self {
            Shape::Default => record(seed, i, round),
            Shape::Long => long::record(seed, i, round),
        }
    }
}

/// A small, fast, seedable generator (splitmix64); not for cryptography.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        rng.next_u64();
        rng
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Skewed toward the start of `0..n`, like word frequencies.
    pub fn skewed(&mut self, n: usize) -> usize {
        let a = self.below(n);
        let b = self.below(n);
        a.min(b)
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.skewed(items.len())]
    }

    fn hex(&mut self, len: usize) -> String {
        let mut out = String::with_capacity(len);
        while out.len() < len {
            out.push_str(&format!("{:016x}", self.next_u64()));
        }
        out.truncate(len);
        out
    }
}

/// Canonical `i` (with its edges) as round `round` leaves it.
pub fn record(seed: u64, i: u64, round: u32) -> CanonicalRecord {
    let mut rng = Rng::new(seed, i);
    let year = 2000 + rng.below(26);
    let cve = cve(year, i);
    let (ecosystem, package) = text::package(&mut rng);
    let affects_key = format!("pkg:{ecosystem}/{package}");
    let fixed = text::version(&mut rng);
    let version_range = vec![VersionRange {
        range_type: "ECOSYSTEM".to_owned(),
        repo: None,
        events: vec![
            RangeEvent::Introduced("0".to_owned()),
            RangeEvent::Fixed(fixed.clone()),
        ],
    }];
    let weaknesses = text::weaknesses(&mut rng);
    let hash = merge_hash::compute(&cve, &affects_key, &version_range, &weaknesses, &[]);
    let id = canonical_id(&hash);
    let summary = text::summary(&mut rng, &package, &fixed, round);
    let title: String = summary.chars().take(120).collect();
    let published = text::time(&mut rng, year);
    let edges = edges(&mut rng, id, &hash, year, i);
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
            cvss_vector: text::cvss(&mut rng),
            version_range,
            weaknesses,
            patch_lineage: Vec::new(),
            modified: Some(text::modified(&published, round)),
            published: Some(published),
        },
        edges,
    }
}

/// The advisory key of record `i`: distinct for every `i`.
fn cve(year: usize, i: u64) -> String {
    format!(
        "CVE-{year}-{:05}",
        1000 + i % 90_000 + (i / 90_000) * 100_000
    )
}

fn edges(rng: &mut Rng, id: uuid::Uuid, hash: &str, year: usize, i: u64) -> Vec<SourceEdge> {
    let count = 1 + rng.below(5); // 1..=5, mean 3
    let mut edges: Vec<SourceEdge> = (0..count)
        .map(|k| {
            let source = text::SOURCES[k % text::SOURCES.len()];
            let advisory = text::advisory_id(rng, source, year, i);
            SourceEdge {
                id: edge_id(&id, source, &advisory),
                canonical_id: id,
                merge_hash: hash.to_owned(),
                source: source.to_owned(),
                source_advisory_id: advisory,
                vendor_status: "affected".to_owned(),
                source_sha256: format!("sha256:{}", rng.hex(64)),
            }
        })
        .collect();
    edges.sort_by(|a, b| a.key_order(b));
    edges
}

/// Tombstone `j`: a canonical that this synthetic site once held and deleted.
pub fn deletion(seed: u64, j: u64) -> Deletion {
    let gone = record(seed, 1_000_000_000_000 + j, 0);
    Deletion {
        history: None,
        canonical_id: gone.canonical.id,
        merge_hash: gone.canonical.merge_hash,
        deleted_at: "2025-06-01T00:00:00.000Z".to_owned(),
        reason: "pruned".to_owned(),
    }
}

/// The records a round other than 0 touches: `count` of `total`, spread evenly.
pub fn changed(total: u64, count: u64) -> impl Iterator<Item = u64> {
    let count = count.min(total);
    let step = total.checked_div(count).unwrap_or(1);
    (0..count).map(move |k| k * step)
}

#[cfg(test)]
mod tests;
