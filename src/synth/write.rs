//! Writing a synthetic site through the store's batch calls.
//!
//! Round 0 into an empty store takes the store's bulk load (`Txn::bulk_load`),
//! the path a full import of a bundle takes: keys and indexes are built once
//! at the end instead of row by row. Into a store that holds rows already,
//! or in a later round, rows go through the ordinary batch upserts.
//!
//! Records are made on a thread of their own, a few batches ahead of the
//! store's writes on the caller's thread (the store stays on the thread
//! that opened it): making them is about a third of the work, and it
//! overlaps the rest. Batches arrive in order, so the rows and their order
//! are those of a single thread.

use crate::model::{CanonicalRecord, History};
use crate::store::{StoreError, Txn};

/// What to generate; see the module doc of `synth` for the meaning of rounds.
#[derive(Clone, Copy, Debug)]
pub struct Plan<'a> {
    /// This site's id: rows are its versions (round `r` is its `r + 1`th
    /// version of a record). `None` writes rows without a history.
    pub site: Option<&'a str>,
    pub seed: u64,
    pub shape: super::Shape,
    /// Canonicals of the site (round 0 creates `0..count`).
    pub count: u64,
    /// Round 0 also writes this many tombstones.
    pub deletions: u64,
    /// 0 creates the site; a later round rewrites `changes` of its records.
    pub round: u32,
    pub changes: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Written {
    pub canonicals: u64,
    pub edges: u64,
    pub deletions: u64,
}

const BATCH: u64 = 1000;
/// Batches made ahead of the writes.
const AHEAD: usize = 4;

/// Writes the plan's rows in batches; the caller commits.
pub fn write(txn: &mut dyn Txn, plan: &Plan<'_>) -> Result<Written, StoreError> {
    let mut written = Written::default();
    if plan.round == 0 {
        // Declined (false) when the store holds rows: then the batch upserts.
        txn.bulk_load()?;
    }
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<CanonicalRecord>>(AHEAD);
        // Stops at its next send once the receiver is gone (a failed write).
        scope.spawn(move || {
            for batch in batches(plan) {
                if tx.send(batch).is_err() {
                    break;
                }
            }
        });
        for batch in rx {
            written.canonicals += batch.len() as u64;
            written.edges += batch.iter().map(|r| r.edges.len() as u64).sum::<u64>();
            txn.put_many(&batch)?;
        }
        Ok::<(), StoreError>(())
    })?;
    if plan.round == 0 {
        for start in (0..plan.deletions).step_by(BATCH as usize) {
            let end = (start + BATCH).min(plan.deletions);
            let batch: Vec<_> = (start..end)
                .map(|j| {
                    let mut gone = super::deletion(plan.seed, j);
                    gone.history = history(plan.site, 2, None);
                    gone
                })
                .collect();
            written.deletions += batch.len() as u64;
            txn.delete_many(&batch)?;
        }
    }
    Ok(written)
}

/// The plan's canonical records, in batches of [`BATCH`], in index order.
fn batches(plan: &Plan<'_>) -> impl Iterator<Item = Vec<CanonicalRecord>> {
    let indexes: Box<dyn Iterator<Item = u64> + Send> = match plan.round {
        0 => Box::new(0..plan.count),
        _ => Box::new(super::changed(plan.count, plan.changes)),
    };
    let mut indexes = indexes.peekable();
    let plan = *plan;
    std::iter::from_fn(move || {
        indexes.peek()?;
        let batch = indexes.by_ref().take(BATCH as usize).map(|i| {
            let mut record = plan.shape.record(plan.seed, i, plan.round);
            let modified = record.canonical.modified.as_deref();
            record.canonical.history = history(plan.site, plan.round + 1, modified);
            record
        });
        Some(batch.collect())
    })
}

/// The history of `site`'s `version`th version of a record.
fn history(site: Option<&str>, version: u32, modified: Option<&str>) -> Option<History> {
    let site = site?;
    let mut history = History::next(site, None, modified);
    for _ in 1..version {
        history = History::next(site, Some(&history), modified);
    }
    Some(history)
}
