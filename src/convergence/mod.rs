//! Convergence as a property (issue: federations of any shape converge).
//!
//! Random federations of 3 to 6 sites, linked one way or both ways, ingest
//! overlapping snapshots of two sources and exchange bundles in random
//! order: deltas, deltas with `--for`, duplicates, and bundles held back by
//! a slow courier that arrive late and are forced in. After a final phase
//! in which every link delivers (as many rounds as there are sites), every
//! site must hold byte for byte the same canonicals and tombstones, equal
//! to what an independent model (`model.rs`) computes. Along the way no
//! advisory may move to an older version or come back from deletion, and
//! every import must report exactly the conflicts the model finds (only
//! versions made concurrently with different content). Strategy: `newest`.
//!
//! A failure names its seed; `STELLA_CONVERGENCE_SEED=N cargo test --lib
//! convergence` runs that case alone.

mod model;
mod scenario;
mod sites;

use std::collections::BTreeMap;

use crate::model::{Causal, History};
use crate::store::Store;

use model::{Key, Model, State};
use scenario::{Delivery, Op, Rng, Scenario};
use sites::{Clock, Site, link, site_id};

/// A bundle on its way: its bytes and the model state it carries.
struct Parcel {
    bytes: Vec<u8>,
    state: BTreeMap<Key, State>,
}

struct Run {
    sites: Vec<Site>,
    model: Model,
    links: Vec<(usize, usize)>,
    /// Per link: bundles imported, and bundles a slow courier still holds.
    sent: Vec<Vec<Parcel>>,
    held: Vec<Vec<Parcel>>,
    clock: Clock,
}

/// Runs one scenario on stores made by `store`; an error says what broke.
fn run(scenario: &Scenario, store: &mut dyn FnMut(&str) -> Box<dyn Store>) -> Result<(), String> {
    let clock = Clock::default();
    let mut sites: Vec<Site> = (0..scenario.sites)
        .map(|i| Site {
            id: site_id(i),
            store: store(&site_id(i)),
        })
        .collect();
    for &(from, to) in &scenario.links {
        link(&mut sites[to], &site_id(from));
    }
    let n = scenario.links.len();
    let mut run = Run {
        sites,
        model: Model::new(scenario.sites),
        links: scenario.links.clone(),
        sent: (0..n).map(|_| Vec::new()).collect(),
        held: (0..n).map(|_| Vec::new()).collect(),
        clock,
    };
    let mut rng = Rng::new(scenario.seed);
    for op in &scenario.ops {
        run.op(op, &mut rng)?;
    }
    for _ in 0..scenario.sites {
        for l in 0..n {
            run.deliver(l, Delivery::Delta, None)?;
        }
    }
    run.check_final()
}

impl Run {
    fn op(&mut self, op: &Op, rng: &mut Rng) -> Result<(), String> {
        match *op {
            Op::Ingest {
                site,
                source,
                snapshot,
                prune,
            } => {
                self.sites[site].ingest(source, snapshot, prune, &self.clock);
                self.model.ingest(site, source, snapshot, prune);
                Ok(())
            }
            Op::Deliver { link, how } => {
                let hold = matches!(how, Delivery::Delta | Delivery::DeltaFor) && rng.chance(20);
                self.deliver(link, how, Some(hold))
            }
        }
    }

    fn deliver(&mut self, l: usize, how: Delivery, hold: Option<bool>) -> Result<(), String> {
        let (from, to) = self.links[l];
        match how {
            Delivery::Delta | Delivery::DeltaFor => {
                let peer = site_id(from);
                let since = self.sites[to]
                    .store
                    .site(&peer)
                    .unwrap()
                    .and_then(|s| s.last_cursor);
                let target = site_id(to);
                let for_peer = (how == Delivery::DeltaFor).then_some(target.as_str());
                let Some(bytes) = self.sites[from].export(since, for_peer) else {
                    return Ok(());
                };
                let parcel = Parcel {
                    bytes,
                    state: self.model.sites[from].clone(),
                };
                if hold == Some(true) {
                    self.held[l].push(parcel);
                    return Ok(());
                }
                self.import(l, parcel, false)
            }
            Delivery::Duplicate => {
                let Some(last) = self.sent[l].last() else {
                    return Ok(());
                };
                let outcome = self.sites[to].import(&last.bytes.clone(), false);
                match outcome.already_imported {
                    true => Ok(()),
                    false => Err(format!(
                        "link {l}: a second delivery of a bundle was applied again"
                    )),
                }
            }
            Delivery::Late(k) => {
                let held = &mut self.held[l];
                if held.is_empty() {
                    return Ok(());
                }
                let parcel = held.remove(k % held.len());
                self.import(l, parcel, true)
            }
        }
    }

    fn import(&mut self, l: usize, parcel: Parcel, force: bool) -> Result<(), String> {
        let to = self.links[l].1;
        let before = self.sites[to].histories();
        let outcome = self.sites[to].import(&parcel.bytes, force);
        let expected = self.model.import(to, &parcel.state);
        // A conflict is reported per field; the model counts advisories.
        let mut hashes: Vec<&str> = outcome
            .conflicts
            .iter()
            .map(|c| c.merge_hash.as_str())
            .collect();
        hashes.dedup();
        let fields = outcome.conflicts.len() as u64;
        if !outcome.already_imported
            && (hashes.len() as u64 != expected || outcome.counts.conflicts != fields)
        {
            return Err(format!(
                "link {l}: {} advisories in conflict ({} fields, counted {}), {expected} made concurrently",
                hashes.len(),
                fields,
                outcome.counts.conflicts
            ));
        }
        let after = self.sites[to].histories();
        for (hash, old) in &before {
            let moved = after.get(hash).map(|new| old.compare(new));
            if !matches!(moved, Some(Causal::Same | Causal::Before)) {
                return Err(format!(
                    "link {l}: `{hash}` at s{to} moved from {old:?} to {:?}",
                    after.get(hash)
                ));
            }
        }
        self.sent[l].push(parcel);
        Ok(())
    }

    fn check_final(&self) -> Result<(), String> {
        let reference = self.sites[0].rows();
        for site in &self.sites[1..] {
            if site.rows() != reference {
                return Err(format!(
                    "{} differs from s0 after the final rounds",
                    site.id
                ));
            }
        }
        for (i, site) in self.sites.iter().enumerate() {
            check_model(site, &self.model.sites[i])?;
        }
        Ok(())
    }
}

/// The site's canonicals and tombstones against the model's states.
fn check_model(site: &Site, want: &BTreeMap<Key, State>) -> Result<(), String> {
    let mut live = BTreeMap::new();
    let mut dead = Vec::new();
    for text in site.rows().values() {
        let row: serde_json::Value = serde_json::from_str(text).unwrap();
        let Some(c) = row.get("canonical") else {
            let history: History = serde_json::from_value(row["history"].clone()).unwrap();
            dead.push(history);
            continue;
        };
        let fixed = c["version_range"][0]["events"][1]["fixed"]
            .as_str()
            .unwrap()
            .to_owned();
        let history: History = serde_json::from_value(c["history"].clone()).unwrap();
        // The OSV `summary` is the canonical's title.
        let summary = c["title"].as_str().unwrap().to_owned();
        live.insert(
            (c["cve"].as_str().unwrap().to_owned(), fixed),
            (summary, history),
        );
    }
    let mut want_dead = Vec::new();
    for (key, state) in want {
        let Some(summary) = &state.summary else {
            want_dead.push(state);
            continue;
        };
        let got = live.remove(&(key.0.clone(), key.1.to_owned()));
        let Some((got_summary, history)) = got else {
            return Err(format!(
                "{}: `{key:?}` missing; the model holds it",
                site.id
            ));
        };
        if &got_summary != summary || !same(&history, state) {
            return Err(format!(
                "{}: `{key:?}` is {got_summary:?} {history:?}; the model says {state:?}",
                site.id
            ));
        }
    }
    if let Some(extra) = live.keys().next() {
        return Err(format!(
            "{}: `{extra:?}` is live; the model does not hold it",
            site.id
        ));
    }
    let mut dead: Vec<(usize, u64)> = dead
        .iter()
        .map(|h| (h.vv.values().sum::<u64>() as usize, h.lamport))
        .collect();
    let mut want_dead: Vec<(usize, u64)> =
        want_dead.iter().map(|s| (s.past.len(), s.rank.1)).collect();
    dead.sort_unstable();
    want_dead.sort_unstable();
    if dead != want_dead {
        return Err(format!(
            "{}: tombstones {dead:?}; the model's {want_dead:?}",
            site.id
        ));
    }
    Ok(())
}

/// A history stands for the model's state: as many changes, the same rank.
fn same(history: &History, state: &State) -> bool {
    history.vv.values().sum::<u64>() as usize == state.past.len()
        && history.modified == state.rank.0
        && history.lamport == state.rank.1
        && history.origin == site_id(state.rank.2)
}

#[cfg(test)]
mod tests;
