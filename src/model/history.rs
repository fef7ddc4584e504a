//! Causal history: what every canonical version and tombstone knows of the
//! versions before it, so that a site can tell "newer than mine", "older
//! than mine" and "made concurrently" apart (`man/stella-bundle.5`,
//! CAUSAL HISTORY).
//!
//! A [`History`] is a per-advisory version vector (one counter per site
//! that ever made a version of the advisory, as in Dynamo and Syncthing's
//! BEP), the site that made the version, and the version's *rank*: the
//! latest upstream `modified` its past has seen and a Lamport counter.
//!
//! Invariants:
//! - A site makes a version only with [`History::next`]: its own counter
//!   goes up by one, and the rank goes above the rank of everything the
//!   version supersedes. So `a` before `b` (`a.vv < b.vv`) implies
//!   `rank(a) < rank(b)`.
//! - A concurrent pair settled by the `newest` rule ([`History::join`])
//!   keeps the higher-ranked side's content, origin and rank with the
//!   pointwise maximum of both vectors, and makes no new version. Version
//!   vectors under max and ranks under max are both semilattices, so every
//!   site that has seen the same versions holds the same (content,
//!   history), in any delivery order.
//! - Timestamps decide nothing about causality: they only rank versions
//!   that are concurrent, and they are the advisory's upstream `modified`,
//!   never a site's clock.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The most sites one history may name: far more than any real
/// federation has edited one advisory at; a bound for untrusted input.
pub const MAX_SITES: usize = 256;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct History {
    /// The site that made this version (for a joined pair, the winner's).
    pub origin: String,
    /// For each site, how many of its versions of this advisory this one
    /// includes; sorted by site id, every count at least 1.
    pub vv: BTreeMap<String, u64>,
    /// Rank, first part: the latest upstream `modified` this version or
    /// any version before it carried, `YYYY-MM-DDTHH:MM:SS.mmmZ`, or empty.
    pub modified: String,
    /// Rank, second part: above the Lamport counter of every version
    /// this one supersedes.
    pub lamport: u64,
}

/// How one version stands to another, by their version vectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Causal {
    /// The same version vector: the same version.
    Same,
    /// Strictly before the other: superseded by it.
    Before,
    /// Strictly after the other: supersedes it.
    After,
    /// Neither includes the other: made without knowledge of each other.
    Concurrent,
}

impl History {
    /// A new version made at `site`, superseding `prev` (`None` for the
    /// first version of an advisory), whose content carries `modified`.
    pub fn next(site: &str, prev: Option<&History>, modified: Option<&str>) -> History {
        let mut vv = prev.map(|p| p.vv.clone()).unwrap_or_default();
        *vv.entry(site.to_owned()).or_insert(0) += 1;
        let own = clock(modified);
        let modified = match prev {
            Some(p) if p.modified > own => p.modified.clone(),
            _ => own,
        };
        History {
            origin: site.to_owned(),
            vv,
            modified,
            lamport: prev.map_or(0, |p| p.lamport) + 1,
        }
    }

    /// What a version or tombstone stored before histories existed counts
    /// as, here and in every export: the first version of `site`, the site
    /// that holds it, unranked (no upstream time: every site must rank it
    /// alike, and its exports carry no other).
    pub fn legacy(site: &str) -> History {
        History::next(site, None, None)
    }

    pub fn compare(&self, other: &History) -> Causal {
        let (mut le, mut ge) = (true, true);
        for site in self.vv.keys().chain(other.vv.keys()) {
            let (n, m) = (self.counter(site), other.counter(site));
            le &= n <= m;
            ge &= n >= m;
        }
        match (le, ge) {
            (true, true) => Causal::Same,
            (true, false) => Causal::Before,
            (false, true) => Causal::After,
            (false, false) => Causal::Concurrent,
        }
    }

    /// The `newest` order of two versions: rank, then origin site id, then
    /// content digest. Total, and the same at every site.
    pub fn newest_order(&self, digest: &str, other: &History, other_digest: &str) -> Ordering {
        (&self.modified, self.lamport, &self.origin, digest).cmp(&(
            &other.modified,
            other.lamport,
            &other.origin,
            other_digest,
        ))
    }

    /// The winner of a concurrent pair with the loser's knowledge added:
    /// the winner's origin and rank, both vectors' pointwise maximum.
    pub fn join(&self, loser: &History) -> History {
        let mut vv = self.vv.clone();
        for (site, &n) in &loser.vv {
            let entry = vv.entry(site.clone()).or_insert(0);
            *entry = (*entry).max(n);
        }
        History { vv, ..self.clone() }
    }

    /// Both sides' knowledge and the higher rank of the two: what a new
    /// version that supersedes both is made from ([`History::next`]).
    pub fn upper(&self, other: &History) -> History {
        let mut upper = self.join(other);
        upper.modified = self.modified.clone().max(other.modified.clone());
        upper.lamport = self.lamport.max(other.lamport);
        upper
    }

    /// How many of `site`'s versions of the advisory this one includes.
    pub fn counter(&self, site: &str) -> u64 {
        self.vv.get(site).copied().unwrap_or(0)
    }
}

/// A canonical's NDJSON line (ending in `}\n`) with a history: as it is
/// when it has one, else with [`History::legacy`] of `site` added.
pub fn with_history<'a>(line: &'a [u8], site: &str) -> std::borrow::Cow<'a, [u8]> {
    if super::content_part(line).1 {
        return line.into();
    }
    let body = line.strip_suffix(b"}\n").unwrap_or(line);
    let history = serde_json::to_vec(&History::legacy(site)).unwrap_or_default();
    let mut out = Vec::with_capacity(line.len() + history.len() + 16);
    out.extend_from_slice(body);
    out.extend_from_slice(super::HISTORY_KEY);
    out.extend_from_slice(&history[1..]);
    out.extend_from_slice(b"}\n");
    out.into()
}

/// An upstream `modified` in the rank's fixed form (millisecond UTC, so
/// that text order is time order); empty when absent or unreadable.
pub fn clock(modified: Option<&str>) -> String {
    modified
        .and_then(|m| m.parse::<jiff::Timestamp>().ok())
        .map(|ts| format!("{ts:.3}"))
        .unwrap_or_default()
}

/// Why a history from a bundle cannot be used, for the row checks.
pub fn check(history: &History) -> Result<(), String> {
    use crate::model::is_valid_site_id;
    if history.vv.is_empty() || history.vv.len() > MAX_SITES {
        return Err(format!(
            "history names {} sites; it must name 1 to {MAX_SITES}",
            history.vv.len()
        ));
    }
    if let Some((site, _)) = history.vv.iter().find(|(s, _)| !is_valid_site_id(s)) {
        return Err(format!("history names an invalid site id `{site}`"));
    }
    if let Some((site, _)) = history.vv.iter().find(|(_, n)| **n == 0) {
        return Err(format!("history counts 0 versions of site `{site}`"));
    }
    if history.counter(&history.origin) == 0 {
        return Err(format!(
            "history's origin `{}` is not in its version vector",
            history.origin
        ));
    }
    if history.lamport == 0 {
        return Err("history's lamport counter is 0".into());
    }
    if !history.modified.is_empty() && clock(Some(&history.modified)) != history.modified {
        return Err(format!(
            "history's modified `{}` is not a UTC time with milliseconds",
            history.modified
        ));
    }
    Ok(())
}

#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;
