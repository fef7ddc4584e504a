//! Random federations: sites, links and the operations run on them, drawn
//! from a seed so that a failing case can be run again alone
//! (`STELLA_CONVERGENCE_SEED=N`).

/// A small, fast, seedable generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x5851_f42d_4c95_7f2d)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// How a link delivers on one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// The delta since the receiver's cursor, as `-c` would ask for it.
    Delta,
    /// The same, exported with `--for` the receiver.
    DeltaFor,
    /// The last bundle of the link, imported a second time.
    Duplicate,
    /// An older bundle of the link, arriving late, forced past the cursor.
    Late(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `site` ingests snapshot `snapshot` of source `source`.
    Ingest {
        site: usize,
        source: usize,
        snapshot: usize,
        prune: bool,
    },
    Deliver {
        link: usize,
        how: Delivery,
    },
}

#[derive(Clone, Debug)]
pub struct Scenario {
    /// Also drives which deliveries a slow courier holds back.
    pub seed: u64,
    pub sites: usize,
    /// (from, to): `to` imports what `from` exports.
    pub links: Vec<(usize, usize)>,
    pub ops: Vec<Op>,
}

pub const SOURCES: usize = 2;
pub const SNAPSHOTS: usize = 4;
pub const RECORDS: usize = 4;

impl Scenario {
    /// 3 to 6 sites on a ring of one-way links (so every site's data can
    /// reach every other), plus random links one-way or both ways.
    pub fn generate(seed: u64) -> Scenario {
        let rng = &mut Rng::new(seed);
        let sites = 3 + rng.below(4);
        let mut links: Vec<(usize, usize)> = (0..sites).map(|i| (i, (i + 1) % sites)).collect();
        for _ in 0..rng.below(sites + 1) {
            let (a, b) = (rng.below(sites), rng.below(sites));
            if a != b && !links.contains(&(a, b)) {
                links.push((a, b));
                if rng.chance(50) && !links.contains(&(b, a)) {
                    links.push((b, a));
                }
            }
        }
        let mut ops = Vec::new();
        for _ in 0..8 + rng.below(12) {
            ops.push(match rng.below(3) {
                0 => Op::Ingest {
                    site: rng.below(sites),
                    source: rng.below(SOURCES),
                    snapshot: rng.below(SNAPSHOTS),
                    prune: rng.chance(60),
                },
                _ => Op::Deliver {
                    link: rng.below(links.len()),
                    how: match rng.below(10) {
                        0 => Delivery::Duplicate,
                        1 | 2 => Delivery::Late(rng.below(4)),
                        3 | 4 => Delivery::DeltaFor,
                        _ => Delivery::Delta,
                    },
                },
            });
        }
        Scenario {
            seed,
            sites,
            links,
            ops,
        }
    }
}

/// One record of a source's snapshot: present or not, and its content.
/// Sources never share a CVE, so every canonical has one source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub id: String,
    pub cve: String,
    pub fixed: &'static str,
    pub summary: String,
    pub modified: String,
}

/// Snapshot `k` of source `s`: some records absent, some with another
/// fixed version (another merge hash), every one with content of its own.
pub fn snapshot(source: usize, k: usize) -> Vec<Record> {
    (0..RECORDS)
        .filter(|r| !(r * 7 + k * 3 + source).is_multiple_of(5))
        .map(|r| Record {
            id: match source {
                0 => format!("PYSEC-2024-{r}"),
                _ => format!("GO-2024-{r}"),
            },
            cve: format!("CVE-2024-{source}{r:03}"),
            fixed: if (r + k).is_multiple_of(3) {
                "2.0"
            } else {
                "1.0"
            },
            summary: format!("source {source} record {r} as of snapshot {k}"),
            modified: format!("2024-01-{:02}T00:00:00.000Z", k + 1),
        })
        .collect()
}

impl Record {
    /// The record as OSV JSON, as a source would publish it.
    pub fn osv(&self) -> Vec<u8> {
        let ecosystem = if self.id.starts_with("GO-") {
            "Go"
        } else {
            "PyPI"
        };
        format!(
            r#"{{"id":"{}","aliases":["{}"],"modified":"{}","summary":"{}",
            "affected":[{{"package":{{"ecosystem":"{ecosystem}","name":"demo"}},
            "ranges":[{{"type":"ECOSYSTEM","events":[{{"introduced":"0"}},{{"fixed":"{}"}}]}}]}}]}}"#,
            self.id, self.cve, self.modified, self.summary, self.fixed
        )
        .into_bytes()
    }
}
