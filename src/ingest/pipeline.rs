//! Conversion beside the store writes: the records are read on the
//! caller's thread, converted (`osv::convert_from`: JSON parsing, merge
//! hashes, the peers' row checks) on worker threads, one per core, and
//! handed back in the order read, so the store is written as if each record
//! had been converted just before it was applied.
//!
//! Invariants:
//! - Order: batch `k` goes to worker `k % n` and batch `k` is taken back
//!   from that worker before batch `k + 1` from the next, each worker first
//!   in first out: every item comes back exactly once, in the order read,
//!   so results do not depend on timing or on the number of workers.
//! - Bounded memory: records cross in batches of at most [`osv::BATCH`]
//!   records and [`osv::BATCH_BYTES`] (one record more may carry a batch
//!   past it: [`osv::Batch`], the bounds a zip's reader thread cuts its
//!   batches at too), and at most [`WINDOW`] batches are read ahead of the
//!   one being applied, whatever the number of workers. Whole batches
//!   cross threads, never single items.
//! - An error of `apply` stops the run: the workers end when their
//!   channels close, and no further record is read.
//! - A converted batch goes back to its worker once applied, to be freed
//!   there: the system allocator frees far more cheaply on the thread that
//!   allocated (`apply` gets each item by reference for that reason).

use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread;

use crate::model::CanonicalRecord;
use crate::osv::{self, Batch, InputError, OsvError, RawRecord};
/// Batches read ahead of the one being applied, at most.
const WINDOW: usize = 4;
/// Workers at most, whatever the number of cores.
const MAX_WORKERS: usize = 4;

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

/// The ends of one worker's channels, as the caller holds them.
struct Lane {
    raw: SyncSender<Vec<Raw>>,
    done: Receiver<Vec<Converted>>,
    /// Applied batches, to be freed by the worker.
    spent: Sender<Vec<Converted>>,
}

/// The number of conversion workers: one per core.
fn workers() -> usize {
    thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, MAX_WORKERS)
}

/// Reads `records`, converts each on a worker thread, and calls `apply`
/// with each result in input order.
pub(super) fn each_converted<E>(
    records: impl Iterator<Item = Raw>,
    source: Option<&str>,
    mut apply: impl FnMut(&mut Converted) -> Result<(), E>,
) -> Result<(), E> {
    thread::scope(|scope| {
        // Made inside the scope: on an early return every end drops before
        // the workers are joined, so they stop.
        let lanes: Vec<Lane> = (0..workers())
            .map(|_| {
                let (raw_tx, raw_rx) = sync_channel::<Vec<Raw>>(WINDOW);
                let (out_tx, out_rx) = sync_channel::<Vec<Converted>>(WINDOW);
                let (spent_tx, spent_rx) = channel::<Vec<Converted>>();
                scope.spawn(move || convert_all(&raw_rx, &out_tx, &spent_rx, source));
                Lane {
                    raw: raw_tx,
                    done: out_rx,
                    spent: spent_tx,
                }
            })
            .collect();
        let mut turns = Turns::new(&lanes);
        feed(records, &mut turns, &mut apply)?;
        while let Some(done) = turns.take() {
            turns.apply(done, &mut apply)?;
        }
        Ok(())
    })
}

/// Where the next batch goes and the next result comes from.
struct Turns<'a> {
    lanes: &'a [Lane],
    /// Batches sent so far and batches taken back so far.
    sent: usize,
    taken: usize,
}

impl<'a> Turns<'a> {
    fn new(lanes: &'a [Lane]) -> Self {
        Turns {
            lanes,
            sent: 0,
            taken: 0,
        }
    }

    fn in_flight(&self) -> usize {
        self.sent - self.taken
    }

    /// Sends the next batch; false when its worker is gone.
    fn send(&mut self, batch: Vec<Raw>) -> bool {
        let lane = &self.lanes[self.sent % self.lanes.len()];
        self.sent += 1;
        lane.raw.send(batch).is_ok()
    }

    /// The oldest batch not yet taken back, converted; `None` when none is
    /// in flight or its worker is gone.
    fn take(&mut self) -> Option<(usize, Vec<Converted>)> {
        if self.in_flight() == 0 {
            return None;
        }
        let lane = self.taken % self.lanes.len();
        self.taken += 1;
        Some((lane, self.lanes[lane].done.recv().ok()?))
    }

    /// Applies a taken batch in order, then sends it back to its worker.
    fn apply<E>(
        &self,
        (lane, mut done): (usize, Vec<Converted>),
        apply: &mut impl FnMut(&mut Converted) -> Result<(), E>,
    ) -> Result<(), E> {
        done.iter_mut().try_for_each(apply)?;
        // A worker already gone frees nothing more; the batch drops here.
        let _ = self.lanes[lane].spent.send(done);
        Ok(())
    }
}

/// Sends the records to the workers in batches, applying converted batches
/// as the window fills.
fn feed<E>(
    mut records: impl Iterator<Item = Raw>,
    turns: &mut Turns<'_>,
    apply: &mut impl FnMut(&mut Converted) -> Result<(), E>,
) -> Result<(), E> {
    loop {
        let batch = Batch::next_from(&mut records);
        if batch.is_empty() {
            return Ok(());
        }
        if turns.in_flight() >= WINDOW {
            // The workers hold the batches sent and not yet applied.
            let Some(done) = turns.take() else {
                return Ok(());
            };
            turns.apply(done, apply)?;
        }
        if !turns.send(batch) {
            return Ok(());
        }
    }
}

/// A worker: converts until its input channel closes or nobody listens,
/// freeing the batches it made once they come back applied.
fn convert_all(
    raw_rx: &Receiver<Vec<Raw>>,
    out_tx: &SyncSender<Vec<Converted>>,
    spent: &Receiver<Vec<Converted>>,
    source: Option<&str>,
) {
    for batch in raw_rx {
        spent.try_iter().for_each(drop);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Many batches over every worker: each item comes back once, in order.
    #[test]
    fn results_come_back_in_input_order() {
        let records = (0..1000).map(|n| match n % 7 {
            0 => Err(InputError::TooLarge {
                origin: n.to_string(),
            }),
            _ => Ok(RawRecord {
                origin: n.to_string(),
                bytes: b"{}".repeat(n % 5),
            }),
        });
        let mut seen = Vec::new();
        let done: Result<(), ()> = each_converted(records, None, |item| {
            seen.push(match item {
                Converted::Input(e) => e.origin(),
                Converted::Record { origin, result } => {
                    assert!(result.is_err(), "{origin}");
                    origin.clone()
                }
            });
            Ok(())
        });
        assert_eq!(done, Ok(()));
        let expected: Vec<String> = (0..1000).map(|n: usize| n.to_string()).collect();
        assert_eq!(seen, expected);
    }
}
