//! The apply phase: one transaction over the spooled, verified bundle.
//!
//! Rows go to the store in batches: one lookup of local records and merge
//! bases per batch, the three-way decision per row here, then one bulk write
//! of what was taken, its events and the new merge bases. A networked store
//! turns each batch call into a few bulk statements.
//!
//! Into a store that holds nothing (`Txn::bulk_load`, asked under the writer
//! lock) no row has a local record or merge base, so none is looked up: the
//! same `decide` runs with none and makes every row a create, and the store
//! may load the rows straight into its tables and build its indexes once.

use crate::bundle::SpooledBundle;
use crate::model::CanonicalRecord;
use crate::store::{EventAction, ImportCounts, LedgerEntry, NewEvent, Site, Store, Txn};

use super::plan::{Conflict, ConflictStrategy};
use super::{ImportError, ImportOptions, ImportOutcome, Observer, Stage};

use crate::progress::{Progress, Unit};

mod deletions;
mod guessed;
mod records;
mod report;
mod tally;

use report::{conflict_rows, ledger_entry, outcome};

/// Rows per store round trip.
const BATCH: usize = 1000;

pub struct Header<'a> {
    pub site: &'a Site,
    /// This site's id: the origin of the versions a conflict makes here.
    pub local_site: &'a str,
    /// The conflict strategy in force (request, site policy, config).
    pub strategy: ConflictStrategy,
    pub forced: bool,
    pub signature_skipped: bool,
}

pub fn apply(
    store: &mut dyn Store,
    header: &Header<'_>,
    bundle: &SpooledBundle,
    opts: &ImportOptions,
    observer: &mut dyn Observer,
    progress: &dyn Progress,
) -> Result<ImportOutcome, ImportError> {
    let mut txn = store.begin()?;
    // Asked first: a store may begin the transaction again to take it.
    let fresh = txn.bulk_load()?;
    if let Some(previous) =
        txn.ledger_by_manifest(&header.site.site_id, bundle.manifest_sha256())?
    {
        // A concurrent import of the same bundle committed while we staged.
        return Ok(replayed(header, bundle, previous, opts));
    }
    let mut run = Run {
        fresh,
        txn: txn.as_mut(),
        header,
        bundle,
        opts,
        counts: ImportCounts::default(),
        conflicts: Vec::new(),
        progress,
    };
    let counts = bundle.manifest().counts;
    progress.start(
        "applying",
        Unit::Items,
        Some(counts.canonicals + counts.deletions),
    );
    run.records()?;
    run.deletions()?;
    progress.finish();
    let (counts, conflicts) = (run.counts, run.conflicts);
    if header.strategy == ConflictStrategy::Fail && !conflicts.is_empty() {
        return Err(ImportError::Conflicts { conflicts });
    }
    txn.record_conflicts(
        bundle.bundle_hash(),
        &conflict_rows(header, &conflicts, opts),
    )?;
    txn.record_import(&ledger_entry(header, bundle, counts, opts))?;
    if !opts.dry_run {
        observer.stage(Stage::Applying)?;
        opts.cancel.check()?;
        txn.commit()?;
        observer.stage(Stage::Committed)?;
    }
    Ok(outcome(header, bundle, counts, conflicts, opts, false))
}

/// A bundle whose signed manifest is already in the ledger: report, change nothing.
pub fn replayed(
    header: &Header<'_>,
    bundle: &SpooledBundle,
    _previous: LedgerEntry,
    opts: &ImportOptions,
) -> ImportOutcome {
    outcome(
        header,
        bundle,
        ImportCounts::default(),
        Vec::new(),
        opts,
        true,
    )
}

struct Run<'r, 'a> {
    /// The store held nothing when the transaction began (`Txn::bulk_load`):
    /// no row has a local record or merge base, so none is looked up.
    fresh: bool,
    txn: &'r mut dyn Txn,
    header: &'r Header<'a>,
    bundle: &'r SpooledBundle,
    opts: &'r ImportOptions,
    counts: ImportCounts,
    conflicts: Vec<Conflict>,
    /// Told each batch of canonicals and deletions applied.
    progress: &'r dyn Progress,
}

impl Run<'_, '_> {
    fn site_id(&self) -> &str {
        &self.header.site.site_id
    }

    fn records(&mut self) -> Result<(), ImportError> {
        let mut rows = self.bundle.digested_records()?;
        loop {
            let mut batch = Vec::with_capacity(BATCH);
            let mut read = 0;
            for row in rows.by_ref().take(BATCH) {
                read += 1;
                let (record, digest) = row?;
                let (record, digest) = guessed::rename(record, digest);
                batch.extend(self.filter_sources(record, digest));
            }
            self.opts.cancel.check()?;
            self.record_batch(batch)?;
            self.progress.advance(read as u64);
            if read < BATCH {
                return Ok(());
            }
        }
    }

    /// Drops edges from sources the site may not send; a canonical left with
    /// no edge is dropped too. The digest is of the record as it is kept.
    fn filter_sources(
        &mut self,
        mut record: CanonicalRecord,
        digest: String,
    ) -> Option<(CanonicalRecord, String)> {
        let Some(allowed) = self.header.site.allowed_sources.as_ref() else {
            return Some((record, digest));
        };
        let before = record.edges.len();
        record.edges.retain(|e| allowed.contains(&e.source));
        let dropped = before - record.edges.len();
        self.counts.edges_filtered += dropped as u64;
        if record.edges.is_empty() && before > 0 {
            self.counts.canonical_filtered += 1;
            return None;
        }
        let digest = if dropped == 0 {
            digest
        } else {
            record.digest()
        };
        Some((record, digest))
    }

    fn event(
        &self,
        r: &CanonicalRecord,
        action: EventAction,
        cursor: crate::cursor::Cursor,
    ) -> NewEvent {
        NewEvent {
            canonical_id: r.canonical.id,
            merge_hash: r.canonical.merge_hash.clone(),
            cve: r.canonical.cve.clone(),
            affects_key: r.canonical.affects_key.clone(),
            action,
            site_id: self.site_id().to_owned(),
            bundle_hash: self.bundle.bundle_hash().to_owned(),
            cursor,
            imported_at: crate::store::event_time(&self.opts.now),
        }
    }
}
