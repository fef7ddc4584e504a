//! Applying a snapshot of source records to the store.
//!
//! Each source record (source, id) owns exactly one edge on each canonical it
//! yields. Re-ingesting a record whose bytes and merge-hash set are unchanged
//! touches nothing, so ingesting the same snapshot twice is a no-op. A changed
//! record replaces its edges: canonicals it no longer yields lose that edge
//! and are deleted (`superseded`) when no edge is left. A canonical is
//! `withdrawn` exactly when every one of its edges is. With `prune`, records
//! of the sources seen in this run that were not seen are dropped the same
//! way (`pruned`); pruning is skipped when a failure could not be tied to a
//! record id, since that record may be one the snapshot still holds.
//!
//! Every change is a new version made at this site: it carries
//! [`History::next`](crate::model::History::next) of what it replaces (the live version, or the
//! tombstone of a re-created advisory), so peers see it supersede what
//! they hold. Content that did not change makes no version.
//!
//! Two paths, one outcome: into a store that holds canonicals, each record
//! is written in input order (`per_record`); into an empty store (the
//! store's bulk load offer taken), `fresh` stages the records, folds each
//! canonical's writes with the same code and writes each canonical once.
//! Both leave the same canonicals, edges, histories, tombstones and report
//! (the `equivalence` tests); only feed positions differ.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::model::{CanonicalRecord, SourceEdge};
use crate::osv::{self, InputError, OsvError, RawRecord};
use crate::progress::{Progress, Ticker, Unit};
use crate::store::{StoreError, Txn};

mod finals;
mod fold;
mod fresh;
mod pipeline;
mod report;
mod scratch;
mod skeleton;
mod versions;

use pipeline::Converted;
pub use report::{IngestReport, RecordFailure, Refusals};
use versions::{same_record, status_of};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IngestOptions {
    pub prune: bool,
    /// Deletion time, `2025-01-15T10:30:00.000Z`.
    pub now: String,
    /// This site's id: the origin of the versions the ingest makes.
    pub site_id: String,
    /// The source of records the table of sources does not know (`--source`).
    pub source: Option<String>,
    /// Where an ingest into an empty store keeps its scratch space (about
    /// 2 KB a record, removed when it ends): beside the store.
    pub scratch_dir: PathBuf,
}

pub fn ingest(
    txn: &mut dyn Txn,
    records: impl Iterator<Item = Result<RawRecord, InputError>>,
    opts: &IngestOptions,
    progress: &dyn Progress,
) -> Result<IngestReport, StoreError> {
    // Without a scratch space (`scratch_dir` not writable), the per-record
    // path. The scratch is made before the bulk load is asked: a store may
    // begin the transaction again to take the offer.
    if let Ok(mut scratch) = scratch::Scratch::new(&opts.scratch_dir)
        && txn.bulk_load()?
    {
        return fresh::ingest(txn, &mut scratch, records, opts, progress);
    }
    per_record(txn, records, opts, progress)
}

/// Removes the scratch spaces in `dir` that ingests killed before they
/// could remove them left behind. Only for a caller that holds the lock
/// every ingest into `dir` takes (the home's writer lock).
pub fn clear_stale_scratch(dir: &Path) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(scratch::PREFIX)
        {
            std::fs::remove_dir_all(entry.path())?;
        }
    }
    Ok(())
}

/// Writes each record to the store in input order: the path of a store
/// that holds canonicals already, and the reference the one-write-per-
/// canonical path (`fresh`) is tested against.
pub(crate) fn per_record(
    txn: &mut dyn Txn,
    records: impl Iterator<Item = Result<RawRecord, InputError>>,
    opts: &IngestOptions,
    progress: &dyn Progress,
) -> Result<IngestReport, StoreError> {
    // Into an empty store, the indexes no ingest lookup uses are built once.
    txn.defer_unkeyed_indexes()?;
    let mut run = Run {
        txn,
        now: &opts.now,
        site: &opts.site_id,
        source: opts.source.as_deref(),
        prune: opts.prune,
        report: IngestReport::default(),
        seen: BTreeSet::new(),
        sources: BTreeSet::new(),
        anonymous_failure: false,
    };
    progress.start("ingesting", Unit::Items, None);
    let ticker = Ticker::new(progress);
    pipeline::each_converted(records, opts.source.as_deref(), |item| {
        ticker.tick(1);
        run.report.records_read += 1;
        match item {
            Converted::Record { origin, result } => run.record(origin, result),
            Converted::Input(e) => {
                run.anonymous_failure = true;
                refuse_input(&mut run.report, e);
                Ok(())
            }
        }
    })?;
    drop(ticker);
    progress.finish();
    if opts.prune {
        run.prune()?;
    }
    Ok(run.report)
}

/// Counts an input that could not be read as a record.
fn refuse_input(report: &mut IngestReport, e: &InputError) {
    let failure = RecordFailure::new(e.origin(), None, e.to_string(), e.detail());
    report.refuse(e.reason(), failure);
}

/// Counts a record whose conversion failed; returns the (source, id) it
/// named, if it named an id.
fn refuse_record(
    report: &mut IngestReport,
    origin: String,
    e: &OsvError,
    source: Option<&str>,
) -> Option<(String, String)> {
    let named = e
        .id()
        .map(|id| (osv::source_named(id, source), id.to_owned()));
    let id = e.id().map(str::to_owned);
    let failure = RecordFailure::new(origin, id, e.to_string(), e.detail());
    report.refuse(e.reason(), failure);
    named
}

struct Run<'a> {
    txn: &'a mut dyn Txn,
    now: &'a str,
    site: &'a str,
    source: Option<&'a str>,
    /// `seen` is kept only for a prune: it grows with the records read.
    prune: bool,
    report: IngestReport,
    /// Every (source, id) met in this run, failed ones included (with `prune`).
    seen: BTreeSet<(String, String)>,
    sources: BTreeSet<String>,
    anonymous_failure: bool,
}

impl Run<'_> {
    fn record(
        &mut self,
        origin: &str,
        converted: &Result<Vec<CanonicalRecord>, OsvError>,
    ) -> Result<(), StoreError> {
        let records = match converted {
            Ok(records) => records,
            Err(e) => {
                match refuse_record(&mut self.report, origin.to_owned(), e, self.source) {
                    Some((source, id)) => self.see(source, id),
                    None => self.anonymous_failure = true,
                }
                return Ok(());
            }
        };
        let Some(edge) = records.first().and_then(|r| r.edges.first()).cloned() else {
            self.report.records_unchanged += 1;
            return Ok(());
        };
        self.sources.insert(edge.source.clone());
        self.see(edge.source.clone(), edge.source_advisory_id.clone());
        let existing = self
            .txn
            .source_record(&edge.source, &edge.source_advisory_id)?;
        let new: BTreeSet<&str> = records
            .iter()
            .map(|r| r.canonical.merge_hash.as_str())
            .collect();
        let old: BTreeSet<&str> = existing.iter().map(|(h, _)| h.as_str()).collect();
        let same_bytes = existing.iter().all(|(_, sha)| *sha == edge.source_sha256);
        if !existing.is_empty() && same_bytes && old == new {
            self.report.records_unchanged += 1;
            return Ok(());
        }
        self.report.records_ingested += 1;
        for record in records {
            self.apply(record, &edge)?;
        }
        for gone in old.difference(&new) {
            self.drop_edge(gone, &edge.source, &edge.source_advisory_id, "superseded")?;
        }
        Ok(())
    }

    fn see(&mut self, source: String, id: String) {
        if self.prune {
            self.seen.insert((source, id));
        }
    }

    /// Writes `record` merged with the other sources' edges of its canonical.
    fn apply(&mut self, record: &CanonicalRecord, edge: &SourceEdge) -> Result<(), StoreError> {
        let existing = self.txn.canonical(&record.canonical.merge_hash)?;
        let mut edges: Vec<SourceEdge> = existing
            .iter()
            .flat_map(|e| e.edges.iter())
            .filter(|e| !same_record(e, &edge.source, &edge.source_advisory_id))
            .cloned()
            .chain(record.edges.iter().cloned())
            .collect();
        edges.sort_by(|a, b| a.key_order(b));
        let mut canonical = record.canonical.clone();
        canonical.status = status_of(&edges);
        self.write(existing.as_ref(), CanonicalRecord { canonical, edges })
    }
}

#[cfg(test)]
mod fake;
#[cfg(test)]
mod tests;
