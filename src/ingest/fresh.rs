//! An ingest into an empty store, one write per canonical: the records are
//! converted and staged in a scratch database (`scratch`), the repeats of a
//! source record are settled in (source, id) order, then each canonical's
//! writes are folded in (merge hash, input order) by the per-record path's
//! own code (`fold`), and only the final version is put, through the
//! store's bulk load.
//!
//! Invariants (what makes it the per-record path's equal, which the
//! `equivalence` tests check on real histories):
//! - A record is unchanged exactly when the previous record of its
//!   (source, id) had the same bytes and merge hashes: in a store that
//!   started empty, the edges of (source, id) are those of its last
//!   record that changed the store. A record that changed the store drops
//!   its (source, id)'s edge from the merge hashes the previous one named
//!   and it does not (`superseded`).
//! - Each canonical's writes reach the fold in input order, so its version,
//!   history and counts are the ones the per-record path leaves.
//! - Nothing a prune could drop is stored: every stored edge's record was
//!   seen in this run. Only `prune_skipped` is left to say.
//! - Memory stays flat: the scratch database spills to disk, and the fold
//!   holds one canonical and a few batches of final versions (`finals`,
//!   which folds on a thread beside the store's writes).

use std::collections::BTreeSet;

use super::finals::write_all;
use super::pipeline::{self, Converted};
use super::scratch::{KeyRow, Scratch};
use super::{IngestOptions, IngestReport, refuse_input, refuse_record};
use crate::model::CanonicalRecord;
use crate::osv::{InputError, RawRecord};
use crate::progress::{Progress, Ticker, Unit};
use crate::store::{StoreError, Txn};

/// [`super::ingest`] for a transaction that took the bulk load offer.
pub(super) fn ingest(
    txn: &mut dyn Txn,
    scratch: &mut Scratch,
    records: impl Iterator<Item = Result<RawRecord, InputError>>,
    opts: &IngestOptions,
    progress: &dyn Progress,
) -> Result<IngestReport, StoreError> {
    let mut report = IngestReport::default();
    let mut anonymous_failure = false;
    progress.start("ingesting", Unit::Items, None);
    let ticker = Ticker::new(progress);
    let mut seq = 0i64;
    pipeline::each_converted(records, opts.source.as_deref(), |item| {
        ticker.tick(1);
        report.records_read += 1;
        seq += 1;
        match item {
            Converted::Record {
                result: Ok(records),
                ..
            } => stage(scratch, seq, records, &mut report),
            Converted::Record {
                origin,
                result: Err(e),
            } => {
                let origin = origin.clone();
                let named = refuse_record(&mut report, origin, e, opts.source.as_deref());
                anonymous_failure |= named.is_none();
                Ok(())
            }
            Converted::Input(e) => {
                anonymous_failure = true;
                refuse_input(&mut report, e);
                Ok(())
            }
        }
    })?;
    settle_repeats(scratch, &mut report)?;
    let mut report = write_all(txn, scratch, opts, report)?;
    drop(ticker);
    progress.finish();
    report.prune_skipped = opts.prune && anonymous_failure;
    Ok(report)
}

/// Stages a converted record; one that yields no canonical is unchanged.
fn stage(
    scratch: &Scratch,
    seq: i64,
    records: &mut [CanonicalRecord],
    report: &mut IngestReport,
) -> Result<(), StoreError> {
    if records.first().and_then(|r| r.edges.first()).is_none() {
        report.records_unchanged += 1;
        return Ok(());
    }
    let hashes: BTreeSet<&str> = records
        .iter()
        .map(|r| r.canonical.merge_hash.as_str())
        .collect();
    let hashes = hashes.into_iter().collect::<Vec<_>>().join("\n");
    scratch.stage(seq, records, &hashes)
}

/// Counts each staged record ingested or unchanged, skips the unchanged
/// ones and adds the drops of superseded edges.
fn settle_repeats(scratch: &Scratch, report: &mut IngestReport) -> Result<(), StoreError> {
    let mut prev: Option<KeyRow> = None;
    scratch.each_record(|row| {
        let last = prev
            .as_ref()
            .filter(|p| p.source == row.source && p.id == row.id);
        if let Some(last) = last {
            if last.sha == row.sha && last.hashes == row.hashes {
                report.records_unchanged += 1;
                return scratch.skip(row.seq);
            }
            let new: BTreeSet<&str> = row.hashes.split('\n').collect();
            for gone in last.hashes.split('\n').filter(|h| !new.contains(h)) {
                scratch.drop_edge(gone, row.seq, &row.source, &row.id)?;
            }
        }
        report.records_ingested += 1;
        prev = Some(row);
        Ok(())
    })
}
