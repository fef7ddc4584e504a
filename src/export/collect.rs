//! Collecting an export's rows into the three NDJSON spools on two threads:
//! the caller's thread reads the store (which stays on the thread that
//! opened it), a scoped writer thread serializes, hashes and compresses (on
//! the zstd workers of each spool). They meet through a bounded channel of
//! small batches, so memory stays flat however large the export, and rows
//! keep their feed order.
//!
//! Invariant: the spools are exactly what one thread pushing the rows in
//! order would produce (the writer is the only one touching them).

use std::io;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use crate::bundle::{Member, NdjsonSpool, SpooledMember, WriteOptions};
use crate::progress::Ticker;
use crate::store::{ExportRow, Store};

/// Rows per batch handed to the writer, and batches in flight.
const BATCH: usize = 256;
const IN_FLIGHT: usize = 4;

/// Why collecting stopped: the store failed, or writing the spools did.
pub enum CollectError {
    Store(crate::store::StoreError),
    Spool(io::Error),
}

/// Rows after `since` up to `upto`, spooled in `dir`.
pub fn collect(
    store: &dyn Store,
    since: Option<u64>,
    upto: u64,
    (dir, opts): (&Path, &WriteOptions),
    ticker: &Ticker<'_>,
) -> Result<[SpooledMember; 3], CollectError> {
    let (tx, rx) = sync_channel::<Vec<ExportRow>>(IN_FLIGHT);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || spool(rx, dir, opts));
        let read = read_rows(store, since, upto, tx, ticker);
        let written = writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        // A failed writer drops its receiver, so the reader's error is then
        // only "channel closed": the writer's error is the cause.
        match (read, written) {
            (_, Err(e)) => Err(CollectError::Spool(e)),
            (Err(e), Ok(_)) => Err(CollectError::Store(e)),
            (Ok(()), Ok(members)) => Ok(members),
        }
    })
}

fn read_rows(
    store: &dyn Store,
    since: Option<u64>,
    upto: u64,
    tx: SyncSender<Vec<ExportRow>>,
    ticker: &Ticker<'_>,
) -> crate::store::Result<()> {
    let closed = |_| io::Error::other("the spool writer stopped");
    let mut batch = Vec::with_capacity(BATCH);
    store.export_rows(since, upto, &mut |row| {
        ticker.tick(match &row {
            ExportRow::Canonical(_, record) => 1 + record.edges.len() as u64,
            ExportRow::Deletion(..) => 1,
        });
        batch.push(row);
        if batch.len() == BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            tx.send(full).map_err(closed)?;
        }
        Ok(())
    })?;
    if !batch.is_empty() {
        tx.send(batch).map_err(closed)?;
    }
    Ok(())
}

/// Canonicals and edges are written at the same time, so they share the
/// workers; deletions (few) get one.
fn spool(
    rx: Receiver<Vec<ExportRow>>,
    dir: &Path,
    opts: &WriteOptions,
) -> io::Result<[SpooledMember; 3]> {
    let shared = WriteOptions {
        threads: (opts.threads / 2).max(1),
        ..*opts
    };
    let one = WriteOptions {
        threads: 1,
        ..*opts
    };
    let mut canonicals = NdjsonSpool::new(Member::Canonicals, dir, &shared)?;
    let mut edges = NdjsonSpool::new(Member::Edges, dir, &shared)?;
    let mut deletions = NdjsonSpool::new(Member::Deletions, dir, &one)?;
    for row in rx.into_iter().flatten() {
        match row {
            ExportRow::Canonical(_, record) => {
                canonicals.push(&record.canonical)?;
                record.edges.iter().try_for_each(|e| edges.push(e))?;
            }
            ExportRow::Deletion(_, deletion) => deletions.push(&deletion)?,
        }
    }
    Ok([canonicals.finish()?, edges.finish()?, deletions.finish()?])
}
