//! The reference the real sites are held to: a model of a federation
//! written apart from stella's code. An advisory's state at a site is its
//! content (a record's CVE, fixed version and summary, or deleted) with the
//! *set of every change* it includes (each change a unique event number,
//! where stella counts per site in a vector) and its rank. Importing is the
//! join of two states: the union of the sets, and the content of the
//! higher-ranked side. Nothing here calls stella's history, import or
//! ingest code.

use std::collections::{BTreeMap, BTreeSet};

use super::scenario::{Record, snapshot};

/// An advisory: (cve, fixed version), the merge hash's identity here.
pub type Key = (String, &'static str);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// `None`: deleted.
    pub summary: Option<String>,
    /// Every change this state includes.
    pub past: BTreeSet<u64>,
    /// (latest upstream time seen, Lamport counter, origin site).
    pub rank: (String, u64, usize),
}

impl State {
    fn join(&self, other: &State) -> State {
        let winner = if other.rank > self.rank { other } else { self };
        State {
            summary: winner.summary.clone(),
            past: self.past.union(&other.past).copied().collect(),
            rank: winner.rank.clone(),
        }
    }

    fn concurrent(&self, other: &State) -> bool {
        !self.past.is_subset(&other.past) && !other.past.is_subset(&self.past)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Model {
    pub sites: Vec<BTreeMap<Key, State>>,
    events: u64,
}

impl Model {
    pub fn new(sites: usize) -> Model {
        Model {
            sites: vec![BTreeMap::new(); sites],
            events: 0,
        }
    }

    /// A new change made at `site`, superseding `prev`.
    fn change(
        &mut self,
        site: usize,
        prev: Option<&State>,
        summary: Option<String>,
        time: &str,
    ) -> State {
        self.events += 1;
        let mut past = prev.map(|p| p.past.clone()).unwrap_or_default();
        past.insert(self.events);
        let (seen, lamport) = prev.map_or((String::new(), 0), |p| (p.rank.0.clone(), p.rank.1));
        State {
            summary,
            past,
            rank: (seen.max(time.to_owned()), lamport + 1, site),
        }
    }

    /// `site` ingests snapshot `k` of `source`: each record's advisory is
    /// set to its content (a change only where the content differs); the
    /// record's other advisories (another fixed version) are deleted, and
    /// with `prune` so are the advisories of records absent from it.
    pub fn ingest(&mut self, site: usize, source: usize, k: usize, prune: bool) {
        let records = snapshot(source, k);
        let ours = |key: &Key| key.0.starts_with(&format!("CVE-2024-{source}"));
        let held: Vec<Key> = self.sites[site]
            .keys()
            .filter(|k| ours(k))
            .cloned()
            .collect();
        for record in &records {
            let key: Key = (record.cve.clone(), record.fixed);
            self.set(site, key, Some(record));
            for other in held
                .iter()
                .filter(|h| h.0 == record.cve && h.1 != record.fixed)
            {
                self.set(site, other.clone(), None);
            }
        }
        if prune {
            for key in held.iter().filter(|h| records.iter().all(|r| r.cve != h.0)) {
                self.set(site, key.clone(), None);
            }
        }
    }

    fn set(&mut self, site: usize, key: Key, record: Option<&Record>) {
        let prev = self.sites[site].get(&key).cloned();
        let summary = record.map(|r| r.summary.clone());
        match &prev {
            Some(p) if p.summary == summary => return,
            None if summary.is_none() => return,
            _ => {}
        }
        let time = record.map_or("", |r| r.modified.as_str());
        let state = self.change(site, prev.as_ref(), summary, time);
        self.sites[site].insert(key, state);
    }

    /// `site` imports `bundle` (a peer's states): the number of real
    /// conflicts (concurrent states with different content).
    pub fn import(&mut self, site: usize, bundle: &BTreeMap<Key, State>) -> u64 {
        let mut conflicts = 0;
        for (key, remote) in bundle {
            let joined = match self.sites[site].get(key) {
                None => remote.clone(),
                Some(local) => {
                    if local.concurrent(remote) && local.summary != remote.summary {
                        conflicts += 1;
                    }
                    local.join(remote)
                }
            };
            self.sites[site].insert(key.clone(), joined);
        }
        conflicts
    }
}
