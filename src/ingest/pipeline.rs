//! Conversion beside the store writes: the records are read on the
//! caller's thread, converted (`osv::convert_from`: JSON parsing, merge
//! hashes, the peers' row checks) on one worker thread, and handed back in
//! the order read, so the store is written as if each record had been
//! converted just before it was applied.
//!
//! Invariants:
//! - Order: every item comes back exactly once, in the order read (one
//!   worker, first in first out), so results do not depend on timing.
//! - Bounded memory: records cross in batches of at most [`osv::BATCH`]
//!   records and [`osv::BATCH_BYTES`] (one record more may carry a batch
//!   past it: [`osv::Batch`], the bounds a zip's reader thread cuts its
//!   batches at too), and at most [`WINDOW`] batches are read ahead of the
//!   one being applied.
//! - An error of `apply` stops the run: the worker ends when its channels
//!   close, and no further record is read.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread;

use crate::model::CanonicalRecord;
use crate::osv::{self, Batch, InputError, OsvError, RawRecord};
/// Batches read ahead of the one being applied, at most.
const WINDOW: usize = 4;

type Raw = Result<RawRecord, InputError>;

/// One item of the input, converted.
pub(super) enum Converted {
    /// The input could not be read (no record).
    Input(InputError),
    /// A record and what its conversion gave.
    Record {
        origin: String,
        result: Result<Vec<CanonicalRecord>, OsvError>,
    },
}

/// Reads `records`, converts each on a worker thread, and calls `apply`
/// with each result in input order.
pub(super) fn each_converted<E>(
    records: impl Iterator<Item = Raw>,
    source: Option<&str>,
    mut apply: impl FnMut(Converted) -> Result<(), E>,
) -> Result<(), E> {
    thread::scope(|scope| {
        // Made inside the scope: on an early return both ends drop before
        // the worker is joined, so it stops.
        let (raw_tx, raw_rx) = sync_channel::<Vec<Raw>>(WINDOW);
        let (out_tx, out_rx) = sync_channel::<Vec<Converted>>(WINDOW);
        scope.spawn(move || convert_all(&raw_rx, &out_tx, source));
        feed(records, &raw_tx, &out_rx, &mut apply)?;
        drop(raw_tx);
        out_rx.iter().flatten().try_for_each(apply)
    })
}

/// Sends the records to the worker in batches, applying converted batches
/// as the window fills.
fn feed<E>(
    mut records: impl Iterator<Item = Raw>,
    raw_tx: &SyncSender<Vec<Raw>>,
    out_rx: &Receiver<Vec<Converted>>,
    apply: &mut impl FnMut(Converted) -> Result<(), E>,
) -> Result<(), E> {
    let mut in_flight = 0usize;
    loop {
        let batch = Batch::next_from(&mut records);
        if batch.is_empty() {
            return Ok(());
        }
        if in_flight >= WINDOW {
            // The worker holds the batches sent and not yet applied.
            let Ok(done) = out_rx.recv() else {
                return Ok(());
            };
            in_flight -= 1;
            done.into_iter().try_for_each(&mut *apply)?;
        }
        if raw_tx.send(batch).is_err() {
            return Ok(());
        }
        in_flight += 1;
    }
}

/// The worker: converts until the input channel closes or nobody listens.
fn convert_all(
    raw_rx: &Receiver<Vec<Raw>>,
    out_tx: &SyncSender<Vec<Converted>>,
    source: Option<&str>,
) {
    for batch in raw_rx {
        let converted = batch
            .into_iter()
            .map(|item| match item {
                Ok(raw) => Converted::Record {
                    result: osv::convert_from(&raw.bytes, source),
                    origin: raw.origin,
                },
                Err(e) => Converted::Input(e),
            })
            .collect();
        if out_tx.send(converted).is_err() {
            return;
        }
    }
}
