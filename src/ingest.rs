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
//! [`History::next`] of what it replaces (the live version, or the
//! tombstone of a re-created advisory), so peers see it supersede what
//! they hold. Content that did not change makes no version.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::model::{CanonicalRecord, Deletion, History, SourceEdge, Status};
use crate::osv::{self, InputError, RawRecord};
use crate::progress::{Progress, Ticker, Unit};
use crate::store::{StoreError, Txn};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IngestOptions {
    pub prune: bool,
    /// Deletion time, `2025-01-15T10:30:00.000Z`.
    pub now: String,
    /// This site's id: the origin of the versions the ingest makes.
    pub site_id: String,
    /// The source of records the table of sources does not know (`--source`).
    pub source: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    pub records_read: u64,
    pub records_unchanged: u64,
    pub failures: Vec<RecordFailure>,
    pub canonical_created: u64,
    pub canonical_updated: u64,
    pub canonical_withdrawn: u64,
    /// Deleted because their source record now yields other merge hashes.
    pub canonical_deleted: u64,
    pub canonical_pruned: u64,
    /// `prune` was asked for but skipped: a failure named no record id.
    pub prune_skipped: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordFailure {
    pub origin: String,
    pub id: Option<String>,
    pub message: String,
}

pub fn ingest(
    txn: &mut dyn Txn,
    records: impl Iterator<Item = Result<RawRecord, InputError>>,
    opts: &IngestOptions,
    progress: &dyn Progress,
) -> Result<IngestReport, StoreError> {
    let mut run = Run {
        txn,
        now: &opts.now,
        site: &opts.site_id,
        source: opts.source.as_deref(),
        report: IngestReport::default(),
        seen: BTreeSet::new(),
        sources: BTreeSet::new(),
        anonymous_failure: false,
    };
    progress.start("ingesting", Unit::Items, None);
    let ticker = Ticker::new(progress);
    for item in records {
        ticker.tick(1);
        run.report.records_read += 1;
        match item {
            Ok(raw) => run.record(&raw)?,
            Err(e) => {
                run.anonymous_failure = true;
                run.fail(e.origin(), None, e.to_string());
            }
        }
    }
    drop(ticker);
    progress.finish();
    if opts.prune {
        run.prune()?;
    }
    Ok(run.report)
}

struct Run<'a> {
    txn: &'a mut dyn Txn,
    now: &'a str,
    site: &'a str,
    source: Option<&'a str>,
    report: IngestReport,
    /// Every (source, id) met in this run, failed ones included.
    seen: BTreeSet<(String, String)>,
    sources: BTreeSet<String>,
    anonymous_failure: bool,
}

impl Run<'_> {
    fn fail(&mut self, origin: String, id: Option<String>, message: String) {
        self.report.failures.push(RecordFailure {
            origin,
            id,
            message,
        });
    }

    fn record(&mut self, raw: &RawRecord) -> Result<(), StoreError> {
        let records = match osv::convert_from(&raw.bytes, self.source) {
            Ok(records) => records,
            Err(e) => {
                match e.id() {
                    Some(id) => {
                        let source = osv::source_named(id, self.source);
                        self.seen.insert((source, id.to_owned()));
                    }
                    None => self.anonymous_failure = true,
                }
                self.fail(raw.origin.clone(), e.id().map(str::to_owned), e.to_string());
                return Ok(());
            }
        };
        let Some(edge) = records.first().and_then(|r| r.edges.first()).cloned() else {
            return Ok(());
        };
        self.sources.insert(edge.source.clone());
        self.seen
            .insert((edge.source.clone(), edge.source_advisory_id.clone()));
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
        for record in &records {
            self.apply(record, &edge)?;
        }
        for gone in old.difference(&new) {
            self.drop_edge(gone, &edge.source, &edge.source_advisory_id, "superseded")?;
        }
        Ok(())
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

    fn write(
        &mut self,
        old: Option<&CanonicalRecord>,
        mut new: CanonicalRecord,
    ) -> Result<(), StoreError> {
        if old.is_some_and(|old| old.same_content(&new)) {
            return Ok(());
        }
        let prev = match old {
            Some(old) => Some(self.history_of(old.canonical.history.as_ref())),
            None => self
                .txn
                .tombstone(&new.canonical.merge_hash)?
                .map(|t| t.history.unwrap_or_else(|| History::legacy(self.site))),
        };
        let modified = new.canonical.modified.as_deref();
        new.canonical.history = Some(History::next(self.site, prev.as_ref(), modified));
        self.txn.put(&new)?;
        let report = &mut self.report;
        match old {
            None => report.canonical_created += 1,
            Some(old)
                if old.canonical.status == Status::Active
                    && new.canonical.status == Status::Withdrawn =>
            {
                report.canonical_withdrawn += 1;
            }
            Some(_) => report.canonical_updated += 1,
        }
        Ok(())
    }

    /// Removes the edge of (source, id) from a canonical, deleting it when no edge is left.
    fn drop_edge(
        &mut self,
        hash: &str,
        source: &str,
        id: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        let Some(old) = self.txn.canonical(hash)? else {
            return Ok(());
        };
        let mut rest = old.clone();
        rest.edges.retain(|e| !same_record(e, source, id));
        if !rest.edges.is_empty() {
            rest.canonical.status = status_of(&rest.edges);
            return self.write(Some(&old), rest);
        }
        let prev = self.history_of(old.canonical.history.as_ref());
        let deletion = Deletion {
            canonical_id: old.canonical.id,
            merge_hash: old.canonical.merge_hash.clone(),
            deleted_at: self.now.to_owned(),
            reason: reason.to_owned(),
            history: Some(History::next(self.site, Some(&prev), None)),
        };
        if self.txn.delete(&deletion)?.is_some() {
            match reason {
                "pruned" => self.report.canonical_pruned += 1,
                _ => self.report.canonical_deleted += 1,
            }
        }
        Ok(())
    }

    fn prune(&mut self) -> Result<(), StoreError> {
        if self.anonymous_failure {
            self.report.prune_skipped = true;
            return Ok(());
        }
        for (source, id) in self.txn.source_records()? {
            if !self.sources.contains(&source) || self.seen.contains(&(source.clone(), id.clone()))
            {
                continue;
            }
            for (hash, _) in self.txn.source_record(&source, &id)? {
                self.drop_edge(&hash, &source, &id, "pruned")?;
            }
        }
        Ok(())
    }
}

impl Run<'_> {
    /// A stored version's history; one stored before histories existed
    /// counts as this site's first version.
    fn history_of(&self, stored: Option<&History>) -> History {
        stored
            .cloned()
            .unwrap_or_else(|| History::legacy(self.site))
    }
}

fn same_record(edge: &SourceEdge, source: &str, id: &str) -> bool {
    edge.source == source && edge.source_advisory_id == id
}

/// `withdrawn` iff every edge is.
fn status_of(edges: &[SourceEdge]) -> Status {
    if !edges.is_empty() && edges.iter().all(|e| e.vendor_status == "withdrawn") {
        Status::Withdrawn
    } else {
        Status::Active
    }
}

#[cfg(test)]
mod fake;
#[cfg(test)]
mod tests;
