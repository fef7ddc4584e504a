//! Conversion beside the store writes: the records are read on the
//! caller's thread, converted (`osv::convert_from`: JSON parsing, merge
//! hashes, the peers' row checks) on one worker thread, and handed back in
//! the order read, so the store is written as if each record had been
//! converted just before it was applied.
//!
//! Invariants:
//! - Order: every item comes back exactly once, in the order read (one
//!   worker, first in first out), so results do not depend on timing.
//! - Bounded memory: at most [`WINDOW`] records, and at most
//!   [`WINDOW_BYTES`] of raw record bytes beyond the first, are read ahead
//!   of the one being applied.
//! - An error of `apply` stops the run: the worker ends when its channels
//!   close, and no further record is read.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread;

use crate::model::CanonicalRecord;
use crate::osv::{self, InputError, OsvError, RawRecord};

/// Records read ahead of the one being applied, at most.
const WINDOW: usize = 64;
/// Raw bytes read ahead, at most (a single larger record still goes through).
const WINDOW_BYTES: usize = 4 << 20;

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
    records: impl Iterator<Item = Result<RawRecord, InputError>>,
    source: Option<&str>,
    mut apply: impl FnMut(Converted) -> Result<(), E>,
) -> Result<(), E> {
    thread::scope(|scope| {
        // Made inside the scope: on an early return both ends drop before
        // the worker is joined, so it stops.
        let (raw_tx, raw_rx) = sync_channel::<Result<RawRecord, InputError>>(WINDOW);
        let (out_tx, out_rx) = sync_channel::<(usize, Converted)>(WINDOW);
        scope.spawn(move || convert_all(&raw_rx, &out_tx, source));
        feed(records, &raw_tx, &out_rx, &mut apply)?;
        drop(raw_tx);
        out_rx.iter().try_for_each(|(_, item)| apply(item))
    })
}

/// Sends the records to the worker, applying results as the window fills.
fn feed<E>(
    records: impl Iterator<Item = Result<RawRecord, InputError>>,
    raw_tx: &SyncSender<Result<RawRecord, InputError>>,
    out_rx: &Receiver<(usize, Converted)>,
    apply: &mut impl FnMut(Converted) -> Result<(), E>,
) -> Result<(), E> {
    let (mut count, mut bytes) = (0usize, 0usize);
    for item in records {
        let size = item.as_ref().map_or(0, |raw| raw.bytes.len());
        while count > 0 && (count >= WINDOW || bytes + size > WINDOW_BYTES) {
            // The worker holds the `count` items sent and not yet applied.
            let Ok((done, converted)) = out_rx.recv() else {
                break;
            };
            (count, bytes) = (count - 1, bytes - done);
            apply(converted)?;
        }
        if raw_tx.send(item).is_err() {
            break;
        }
        (count, bytes) = (count + 1, bytes + size);
    }
    Ok(())
}

/// The worker: converts until the input channel closes or nobody listens.
fn convert_all(
    raw_rx: &Receiver<Result<RawRecord, InputError>>,
    out_tx: &SyncSender<(usize, Converted)>,
    source: Option<&str>,
) {
    for item in raw_rx {
        let converted = match item {
            Ok(raw) => (
                raw.bytes.len(),
                Converted::Record {
                    result: osv::convert_from(&raw.bytes, source),
                    origin: raw.origin,
                },
            ),
            Err(e) => (0, Converted::Input(e)),
        };
        if out_tx.send(converted).is_err() {
            return;
        }
    }
}
