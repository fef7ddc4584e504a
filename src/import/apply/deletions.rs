//! Deletions, after every canonical, decided by causality like the rows
//! (`plan::causal`): a tombstone applies only when it supersedes what is
//! held, so a stale relay never deletes a newer version. A peer may only
//! delete what the site's source policy lets it send. Each tombstone that
//! removes a canonical, or records one never held, is an event.

use crate::model::{CanonicalRecord, Deletion, History};
use crate::store::{EventAction, StoreError};

use super::records::{Held, local};
use super::{BATCH, Run};
use crate::import::ImportError;
use crate::import::plan::causal::{self, Plan, Remote, Skip};

impl Run<'_, '_> {
    pub(super) fn deletions(&mut self) -> Result<(), ImportError> {
        let mut rows = self.bundle.deletions()?;
        loop {
            let batch = rows
                .by_ref()
                .take(BATCH)
                .collect::<Result<Vec<Deletion>, _>>()?;
            let done = batch.len() < BATCH;
            self.opts.cancel.check()?;
            self.deletion_batch(&batch)?;
            self.progress.advance(batch.len() as u64);
            if done {
                return Ok(());
            }
        }
    }

    fn deletion_batch(&mut self, batch: &[Deletion]) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let hashes: Vec<String> = batch.iter().map(|d| d.merge_hash.clone()).collect();
        let held = self.held(&hashes)?;
        let mut as_sent = Vec::new();
        let mut settled = Vec::new();
        let mut kept = Vec::new();
        for (deletion, held) in batch.iter().zip(&held) {
            match self.plan_deletion(deletion, held) {
                Step::Delete(d, true) => as_sent.push((d, held)),
                Step::Delete(d, false) => settled.push((d, held)),
                Step::Keep(record) => kept.push(record),
                Step::Nothing => {}
            }
        }
        let peer = self.site_id().to_owned();
        self.apply_deletions(as_sent, Some(&peer))?;
        self.apply_deletions(settled, None)?;
        if !kept.is_empty() {
            self.txn.put_many(&kept)?;
        }
        Ok(())
    }

    fn apply_deletions(
        &mut self,
        rows: Vec<(Deletion, &Held)>,
        via: Option<&str>,
    ) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let deletions: Vec<Deletion> = rows.iter().map(|(d, _)| d.clone()).collect();
        let cursors = self.txn.delete_many_from(&deletions, via)?;
        let mut events = Vec::new();
        for ((deletion, held), cursor) in rows.into_iter().zip(cursors) {
            let Some(cursor) = cursor else { continue };
            if held.dead.is_some() {
                // A tombstone's history moved on: nothing was deleted now.
                continue;
            }
            self.counts.deletions_processed += 1;
            let mut gone = held
                .live
                .clone()
                .unwrap_or_else(|| tombstone_record(&deletion));
            gone.canonical.id = deletion.canonical_id;
            events.push(self.event(&gone, EventAction::Deleted, cursor));
        }
        self.txn.append_events(&events)
    }

    /// What one remote tombstone does here.
    fn plan_deletion(&mut self, deletion: &Deletion, held: &Held) -> Step {
        if let Some(live) = &held.live
            && !self.may_delete(live, held, deletion)
        {
            self.counts.deletions_refused += 1;
            return Step::Nothing;
        }
        let Some(history) = deletion.history.clone() else {
            return self.legacy_deletion(deletion, held);
        };
        let held_history = self.held_history(held);
        let local = local(held, held_history.as_ref());
        let site = self.header.local_site;
        let decided = causal::decide(site, local, Remote::Dead, &history, self.header.strategy);
        if decided.conflict {
            let fields = vec![("deleted".into(), false.into(), true.into())];
            self.conflict(&deletion.merge_hash, fields);
        }
        match decided.plan {
            Plan::Take => Step::Delete(deletion.clone(), true),
            Plan::TakeRemote(h) => Step::Delete(
                Deletion {
                    history: Some(h),
                    ..deletion.clone()
                },
                false,
            ),
            Plan::Skip(Skip::Echo) => {
                self.counts.echo += 1;
                Step::Nothing
            }
            Plan::Skip(Skip::Stale) => {
                self.counts.stale += 1;
                Step::Nothing
            }
            Plan::KeepLocal(h) => match (&held.live, &held.dead) {
                (Some(live), _) => {
                    let mut kept = live.clone();
                    kept.canonical.history = Some(h);
                    Step::Keep(kept)
                }
                (None, Some(dead)) => Step::Delete(
                    Deletion {
                        history: Some(h),
                        ..dead.clone()
                    },
                    false,
                ),
                (None, None) => Step::Nothing,
            },
        }
    }

    /// Whether this peer may delete a live canonical here: the site's source
    /// policy must let the peer send every source the canonical holds, and a
    /// tombstone without history (a 1.0 bundle) may only remove what this
    /// very peer supplied.
    fn may_delete(&self, live: &CanonicalRecord, held: &Held, deletion: &Deletion) -> bool {
        if let Some(allowed) = &self.header.site.allowed_sources
            && !live.edges.iter().all(|e| allowed.contains(&e.source))
        {
            return false;
        }
        deletion.history.is_some() || held.base.as_deref() == Some(live.digest().as_str())
    }

    /// A tombstone with no history (1.0): deletes what this peer supplied
    /// (checked above), as a new version of this site.
    fn legacy_deletion(&mut self, deletion: &Deletion, held: &Held) -> Step {
        if held.live.is_none() && held.dead.is_some() {
            return Step::Nothing;
        }
        let prev = self.held_history(held);
        let history = History::next(self.header.local_site, prev.as_ref(), None);
        Step::Delete(
            Deletion {
                history: Some(history),
                ..deletion.clone()
            },
            false,
        )
    }
}

/// The write one remote tombstone asks for.
#[allow(clippy::large_enum_variant)]
enum Step {
    /// Store this tombstone; `true` when it is the peer's own, as sent.
    Delete(Deletion, bool),
    /// Keep the live canonical, under a new history.
    Keep(CanonicalRecord),
    Nothing,
}

/// What an event can say of a canonical we never held: its ids.
fn tombstone_record(deletion: &Deletion) -> CanonicalRecord {
    use crate::model::{Canonical, Severity, Status};
    CanonicalRecord {
        canonical: Canonical {
            history: None,
            id: deletion.canonical_id,
            cve: String::new(),
            affects_key: String::new(),
            merge_hash: deletion.merge_hash.clone(),
            status: Status::Withdrawn,
            severity: Severity::Unknown,
            title: String::new(),
            summary: String::new(),
            cvss_vector: None,
            version_range: Vec::new(),
            weaknesses: Vec::new(),
            patch_lineage: Vec::new(),
            published: None,
            modified: None,
        },
        edges: Vec::new(),
    }
}
