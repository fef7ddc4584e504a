//! The second pass of an ingest into an empty store (`fresh`): the staged
//! writes are read back in (merge hash, input order), each canonical's are
//! folded (`fold`) and its final version made whole from its body, on a
//! thread of its own, while the caller's thread puts the versions already
//! made into the store. The store's writes and the scratch's reads, folds
//! and body decoding then take a core each instead of taking turns.
//!
//! Invariants:
//! - Order: the store sees exactly the puts a single thread would make, in
//!   the same batches (at most [`PUT_BATCH`] versions, in merge hash order),
//!   then the final tombstones, after every put.
//! - Bounded memory: at most [`AHEAD`] batches wait between the threads.
//! - An error on either side stops both, and the store's error is the one
//!   returned: when a put fails the receiving end drops, so the folding
//!   thread's next send fails and it ends; when the folding thread fails
//!   its channel closes and its error is returned. A panic on the folding
//!   thread is resumed on the caller's. Nothing is committed here.

use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread;

use super::fold::{Folder, Group};
use super::scratch::{Scratch, corrupt};
use super::skeleton;
use super::{IngestOptions, IngestReport};
use crate::model::CanonicalRecord;
use crate::store::{StoreError, Txn};

/// Final versions handed to the store at once.
const PUT_BATCH: usize = 256;
/// Batches made ahead of the one being stored, at most.
const AHEAD: usize = 4;

/// Folds every canonical's writes and stores the final versions, then the
/// final tombstones; returns the report with the canonicals counted.
pub(super) fn write_all(
    txn: &mut dyn Txn,
    scratch: &mut Scratch,
    opts: &IngestOptions,
    report: IngestReport,
) -> Result<IngestReport, StoreError> {
    let folder = Folder {
        now: &opts.now,
        site: &opts.site_id,
        report,
    };
    let report = thread::scope(|scope| {
        let (tx, rx) = sync_channel(AHEAD);
        let (back_tx, back_rx) = channel();
        let folding = scope.spawn(|| fold_all(scratch, folder, tx, back_rx));
        let stored = put_all(txn, rx, back_tx);
        let folded = folding
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        stored.and(folded)
    })?;
    // After every put: a delete ends the bulk load (its indexes come back).
    scratch.each_tombstone(|deletion| txn.delete(&deletion).map(drop))?;
    Ok(report)
}

/// Puts each batch received and sends it back to be dropped where it was
/// made; returns at the first error, dropping `rx`.
fn put_all(
    txn: &mut dyn Txn,
    rx: Receiver<Vec<CanonicalRecord>>,
    back: Sender<Vec<CanonicalRecord>>,
) -> Result<(), StoreError> {
    for batch in rx {
        txn.put_many(&batch)?;
        // The folding thread may be gone (its error comes from the join).
        let _ = back.send(batch);
    }
    Ok(())
}

/// The folding thread: reads the events, folds each canonical's, sends the
/// final versions in batches and keeps the final tombstones in `scratch`.
fn fold_all(
    scratch: &mut Scratch,
    mut folder: Folder<'_>,
    tx: SyncSender<Vec<CanonicalRecord>>,
    back: Receiver<Vec<CanonicalRecord>>,
) -> Result<IngestReport, StoreError> {
    let scratch = &*scratch;
    let mut out = Batches {
        tx,
        back,
        batch: Vec::with_capacity(PUT_BATCH),
    };
    let mut current: Option<(String, Group)> = None;
    scratch.each_event(|hash, event| {
        if let Some((open, group)) = current.take() {
            if open == hash {
                current = Some((open, group));
            } else {
                keep(scratch, &mut out, group)?;
            }
        }
        let (hash, group) = current.get_or_insert_with(|| (hash, Group::default()));
        folder.fold(group, hash, event)
    })?;
    if let Some((_, group)) = current {
        keep(scratch, &mut out, group)?;
    }
    out.flush()?;
    Ok(folder.report)
}

/// The batch being filled, where full ones go, and where stored ones come
/// back: a version is freed on the thread that allocated it, which the
/// system allocator does far more cheaply than a free from another thread.
struct Batches {
    tx: SyncSender<Vec<CanonicalRecord>>,
    back: Receiver<Vec<CanonicalRecord>>,
    batch: Vec<CanonicalRecord>,
}

impl Batches {
    fn push(&mut self, record: CanonicalRecord) -> Result<(), StoreError> {
        self.batch.push(record);
        if self.batch.len() >= PUT_BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let next = match self.back.try_recv() {
            Ok(mut stored) => {
                stored.clear();
                stored
            }
            Err(_) => Vec::with_capacity(PUT_BATCH),
        };
        let full = std::mem::replace(&mut self.batch, next);
        // Only a store error on the other side drops the receiver; that
        // error is the one returned, so this one only stops the reading.
        self.tx
            .send(full)
            .map_err(|_| corrupt("the store's side stopped".into()))
    }
}

/// A folded canonical's final state: a version to send (in batches) or a
/// tombstone to store at the end.
fn keep(scratch: &Scratch, out: &mut Batches, group: Group) -> Result<(), StoreError> {
    match group {
        Group {
            live: Some(live),
            body: Some(at),
            ..
        } => {
            let body = scratch.body(&at)?;
            out.push(skeleton::restore(live, body).map_err(corrupt)?)
        }
        Group {
            live: Some(live), ..
        } => Err(corrupt(format!(
            "no body for {}",
            live.canonical.merge_hash
        ))),
        Group {
            tombstone: Some(deletion),
            ..
        } => scratch.tombstone(&deletion),
        _ => Ok(()),
    }
}
