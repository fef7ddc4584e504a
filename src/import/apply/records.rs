//! One batch of remote canonicals: look up what the store holds of each
//! (live version, tombstone, merge base), decide by causality
//! (`plan::causal`), or by content for a row with no history (a 1.0
//! bundle: `plan::decide`), then write in two bulk calls: rows taken as they
//! came (remembered as coming from this peer, for `export --for`) and rows
//! this site settled.

use crate::cursor::Cursor;
use crate::model::{CanonicalRecord, Deletion, History};
use crate::store::{EventAction, NewEvent, StoreError};

use super::Run;
use crate::import::plan::causal::{self, Local, Plan, Remote, Skip};
use crate::import::plan::{ConflictStrategy, Decision, field_diffs};

/// What the store holds of one merge hash.
pub(super) struct Held {
    pub live: Option<CanonicalRecord>,
    pub dead: Option<Deletion>,
    pub base: Option<String>,
}

/// The writes one batch makes: (record, action or `None` for a change of
/// history only).
#[derive(Default)]
struct Writes {
    as_sent: Vec<(CanonicalRecord, Option<EventAction>)>,
    settled: Vec<(CanonicalRecord, Option<EventAction>)>,
    tombstones: Vec<Deletion>,
}

impl Run<'_, '_> {
    pub(super) fn record_batch(
        &mut self,
        batch: Vec<(CanonicalRecord, String)>,
    ) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let hashes: Vec<String> = batch
            .iter()
            .map(|(r, _)| r.canonical.merge_hash.clone())
            .collect();
        let held = self.held(&hashes)?;
        let mut writes = Writes::default();
        let mut taken = Vec::with_capacity(batch.len());
        for ((remote, digest), held) in batch.into_iter().zip(held) {
            taken.push((remote.canonical.merge_hash.clone(), digest.clone()));
            match remote.canonical.history.clone() {
                Some(history) => self.causal(remote, &digest, &history, &held, &mut writes),
                None => self.by_content(remote, &digest, &held, &mut writes),
            }
        }
        self.write(writes)?;
        let site_id = self.site_id().to_owned();
        self.txn.set_taken_many(&site_id, &taken)
    }

    /// The live versions, tombstones and merge bases of `hashes`, in order.
    /// In a fresh store there are none: the bundle lists each merge hash once.
    pub(super) fn held(&mut self, hashes: &[String]) -> Result<Vec<Held>, StoreError> {
        let none = || Held {
            live: None,
            dead: None,
            base: None,
        };
        if self.fresh {
            return Ok(hashes.iter().map(|_| none()).collect());
        }
        let live = self.txn.canonicals(hashes)?;
        let gone: Vec<String> = hashes
            .iter()
            .zip(&live)
            .filter(|(_, l)| l.is_none())
            .map(|(h, _)| h.clone())
            .collect();
        let mut dead = self.txn.tombstones(&gone)?.into_iter();
        let bases = self.txn.taken_many(&self.header.site.site_id, hashes)?;
        Ok(live
            .into_iter()
            .zip(bases)
            .map(|(live, base)| {
                let dead = if live.is_none() {
                    dead.next().flatten()
                } else {
                    None
                };
                Held { live, dead, base }
            })
            .collect())
    }

    /// The history of what the store holds of a merge hash (its live
    /// version, else its tombstone), `None` when it holds nothing. A row
    /// stored before histories existed counts as this site's first version.
    pub(super) fn held_history(&self, held: &Held) -> Option<History> {
        let stored = match (&held.live, &held.dead) {
            (Some(l), _) => l.canonical.history.as_ref(),
            (None, Some(d)) => d.history.as_ref(),
            (None, None) => return None,
        };
        Some(
            stored
                .cloned()
                .unwrap_or_else(|| History::legacy(self.header.local_site)),
        )
    }

    fn causal(
        &mut self,
        remote: CanonicalRecord,
        digest: &str,
        history: &History,
        held: &Held,
        writes: &mut Writes,
    ) {
        let held_history = self.held_history(held);
        let local = local(held, held_history.as_ref());
        let strategy = self.header.strategy;
        let site = self.header.local_site;
        let decided = causal::decide(site, local, Remote::Live(digest), history, strategy);
        if decided.conflict {
            let fields = match &held.live {
                Some(l) => field_diffs(l, &remote),
                None => vec![("deleted".into(), true.into(), false.into())],
            };
            self.conflict(&remote.canonical.merge_hash, fields);
        }
        let action = self.action(held);
        match decided.plan {
            Plan::Take => self.take(held, remote, action, writes, true),
            Plan::TakeRemote(h) => {
                let mut remote = remote;
                remote.canonical.history = Some(h);
                self.take(held, remote, action, writes, false);
            }
            Plan::Skip(skip) => self.skip(skip),
            Plan::KeepLocal(h) => self.keep(held, h, writes),
        }
    }

    /// A row with no history (1.0): the three-way merge by content. What
    /// is taken becomes a version of this site.
    fn by_content(
        &mut self,
        remote: CanonicalRecord,
        digest: &str,
        held: &Held,
        writes: &mut Writes,
    ) {
        let decision =
            crate::import::plan::decide(held.live.as_ref(), held.base.as_deref(), &remote, digest);
        let take = match decision {
            Decision::Create | Decision::Update => true,
            Decision::Skip => false,
            Decision::Conflict(fields) => {
                self.conflict(&remote.canonical.merge_hash, fields);
                match self.header.strategy {
                    ConflictStrategy::PreferRemote => true,
                    ConflictStrategy::Newest => held.live.as_ref().is_none_or(|l| {
                        let key = |r: &CanonicalRecord, d: String| {
                            (
                                crate::model::history::clock(r.canonical.modified.as_deref()),
                                d,
                            )
                        };
                        key(&remote, digest.to_owned()) > key(l, l.digest())
                    }),
                    ConflictStrategy::PreferLocal | ConflictStrategy::Fail => false,
                }
            }
        };
        if !take {
            self.counts.canonical_skipped += 1;
            return;
        }
        let prev = self.held_history(held);
        let mut remote = remote;
        let modified = remote.canonical.modified.clone();
        remote.canonical.history = Some(History::next(
            self.header.local_site,
            prev.as_ref(),
            modified.as_deref(),
        ));
        let action = self.action(held);
        self.take(held, remote, action, writes, false);
    }

    fn action(&self, held: &Held) -> EventAction {
        match held.live {
            Some(_) => EventAction::Updated,
            None => EventAction::Created,
        }
    }

    fn take(
        &mut self,
        held: &Held,
        remote: CanonicalRecord,
        action: EventAction,
        writes: &mut Writes,
        as_sent: bool,
    ) {
        if held.live.as_ref().is_some_and(|l| l.same_content(&remote)) {
            // Only the history moves on: nothing a reader sees changes.
            self.counts.canonical_skipped += 1;
            let list = if as_sent {
                &mut writes.as_sent
            } else {
                &mut writes.settled
            };
            list.push((remote, None));
            return;
        }
        self.count_take(held.live.as_ref(), &remote, action);
        let list = if as_sent {
            &mut writes.as_sent
        } else {
            &mut writes.settled
        };
        list.push((remote, Some(action)));
    }

    fn skip(&mut self, skip: Skip) {
        self.counts.canonical_skipped += 1;
        match skip {
            Skip::Echo => self.counts.echo += 1,
            Skip::Stale => self.counts.stale += 1,
        }
    }

    /// The local side stays, under a new history (joined, or a new version
    /// of this site).
    fn keep(&mut self, held: &Held, history: History, writes: &mut Writes) {
        self.counts.canonical_skipped += 1;
        if let Some(live) = &held.live {
            let mut kept = live.clone();
            kept.canonical.history = Some(history);
            writes.settled.push((kept, None));
        } else if let Some(dead) = &held.dead {
            let mut kept = dead.clone();
            kept.history = Some(history);
            writes.tombstones.push(kept);
        }
    }

    fn write(&mut self, writes: Writes) -> Result<(), StoreError> {
        let peer = self.site_id().to_owned();
        for (rows, via) in [
            (writes.as_sent, Some(peer.as_str())),
            (writes.settled, None),
        ] {
            if rows.is_empty() {
                continue;
            }
            let (records, actions): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
            let cursors = self.txn.put_many_from(&records, via)?;
            let events = self.events(&records, &actions, &cursors);
            self.txn.append_events(&events)?;
        }
        if !writes.tombstones.is_empty() {
            self.txn.delete_many(&writes.tombstones)?;
        }
        Ok(())
    }

    fn events(
        &self,
        records: &[CanonicalRecord],
        actions: &[Option<EventAction>],
        cursors: &[Cursor],
    ) -> Vec<NewEvent> {
        records
            .iter()
            .zip(actions)
            .zip(cursors)
            .filter_map(|((r, action), cursor)| Some(self.event(r, (*action)?, *cursor)))
            .collect()
    }
}

/// What the store holds of a merge hash, as the causal decision sees it,
/// given that holding's history (`Run::held_history`).
pub(super) fn local<'h>(held: &'h Held, history: Option<&'h History>) -> Local<'h> {
    match (&held.live, &held.dead, history) {
        (Some(live), _, Some(h)) => Local::Live(live, h),
        (None, Some(_), Some(h)) => Local::Dead(h),
        _ => Local::Absent,
    }
}
