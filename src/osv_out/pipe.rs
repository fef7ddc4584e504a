//! The records of a full export built, deflated and written through a
//! pipeline: the caller fills jobs (an advisory id and where its parts
//! are), worker threads (one per core) read what a batch needs at once,
//! then build and deflate each of its records, and a writer thread adds
//! them to the zips and to `modified_id.csv`'s list, so reading parts,
//! building, deflating and writing run on every core instead of taking
//! turns on one.
//!
//! Invariants: records reach the zips and the list in the order their jobs
//! were filled, each deflated alone (its bytes depend on it alone, not on
//! the number of workers or on which one took a batch: see `deflate`); at
//! most a few batches per worker are in flight, so memory stays bounded;
//! the first error stops the pipeline and is the one reported. What
//! crosses threads is whole batches: spent job batches go back to the
//! caller to be filled again, and a built batch reaches the writer as
//! three buffers, so no record's own allocation is freed by another thread.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::deflate::Deflater;
use super::groups::Parts;
use super::listed::Listed;
use super::record::Built;
use super::write::Zips;
use super::zipw::Deflated;
use super::{Counts, OsvExportError};

/// Jobs built together by one worker.
const BATCH: usize = 512;

/// What a worker does with a job: the record it gives, built with the
/// worker's own scratch buffers.
pub type Build<J> = dyn Fn(&J, &mut Parts) -> std::io::Result<Built> + Send + Sync;
/// What a worker does with a batch before it builds its jobs: reads what
/// they need into the worker's scratch buffers, all at once.
pub type Load<J> = dyn Fn(&[J], &mut Parts) -> std::io::Result<()> + Send + Sync;

type Batch<J> = (u64, Vec<J>);
type Done = (u64, std::io::Result<Entries>);
/// What the writer leaves: the zips to finish, the list and the counts.
pub type Written = (Zips, Listed, Counts);

/// A batch built and deflated: the entries' names and compressed bytes,
/// their ids, times and ecosystems (`\0`-separated) as text, and each
/// entry's places in them.
struct Entries {
    bytes: Vec<u8>,
    text: String,
    entries: Vec<Entry>,
}

struct Entry {
    deflated: Deflated,
    id: Range<usize>,
    modified: Range<usize>,
    ecosystems: Range<usize>,
    withdrawn: bool,
}

/// A running pipeline into the zips of `dir`.
pub struct Pipeline<J> {
    batch: Vec<J>,
    filled: usize,
    seq: u64,
    spent: Receiver<Vec<J>>,
    to_workers: Option<SyncSender<Batch<J>>>,
    workers: Vec<JoinHandle<()>>,
    writer: Option<JoinHandle<Result<Written, OsvExportError>>>,
}

impl<J: Default + Send + 'static> Pipeline<J> {
    pub fn start(dir: &Path, load: Arc<Load<J>>, build: Arc<Build<J>>) -> Pipeline<J> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        let (to_workers, batches) = sync_channel::<Batch<J>>(cores);
        let (to_writer, done) = sync_channel::<Done>(cores * 2);
        let (give_back, spent) = sync_channel::<Vec<J>>(cores * 2);
        let batches = Arc::new(Mutex::new(batches));
        let workers = (0..cores)
            .map(|_| {
                let (batches, to_writer) = (Arc::clone(&batches), to_writer.clone());
                let (load, build) = (Arc::clone(&load), Arc::clone(&build));
                let give_back = give_back.clone();
                std::thread::spawn(move || {
                    work(&batches, &to_writer, &give_back, (&*load, &*build))
                })
            })
            .collect();
        let dir = dir.to_owned();
        let writer = std::thread::spawn(move || write_in_order(&done, &dir));
        Pipeline {
            batch: Vec::with_capacity(BATCH),
            filled: 0,
            seq: 0,
            spent,
            to_workers: Some(to_workers),
            workers,
            writer: Some(writer),
        }
    }

    /// Fills the next job in place, reusing a spent job's buffers; `fill`
    /// returns `false` when there is no job left, and nothing is queued.
    /// An error of the pipeline's own is reported by [`Self::finish`].
    pub fn fill<E>(&mut self, fill: impl FnOnce(&mut J) -> Result<bool, E>) -> Result<bool, E> {
        if self.filled == self.batch.len() {
            self.batch.push(J::default());
        }
        if !fill(&mut self.batch[self.filled])? {
            return Ok(false);
        }
        self.filled += 1;
        if self.filled == BATCH {
            self.send();
        }
        Ok(true)
    }

    fn send(&mut self) {
        let next = self.spent.try_recv().unwrap_or_default();
        let mut batch = std::mem::replace(&mut self.batch, next);
        batch.truncate(std::mem::take(&mut self.filled));
        if let Some(to_workers) = &self.to_workers {
            // A failed send means the writer stopped on an error; `finish` reports it.
            if to_workers.send((self.seq, batch)).is_err() {
                self.to_workers = None;
            }
        }
        self.seq += 1;
    }

    /// Waits for every record to be written; returns what the writer left.
    pub fn finish(mut self) -> Result<Written, OsvExportError> {
        if self.filled > 0 {
            self.send();
        }
        self.stop().expect("finished once")
    }
}

impl<J> Pipeline<J> {
    /// Closes the queue and waits for every thread; `None` once stopped.
    fn stop(&mut self) -> Option<Result<Written, OsvExportError>> {
        drop(self.to_workers.take());
        for worker in self.workers.drain(..) {
            worker.join().expect("a build worker does not panic");
        }
        let writer = self.writer.take()?;
        Some(writer.join().expect("the zip writer does not panic"))
    }
}

/// An export that fails before the end still waits for the threads, so the
/// zips' temporary files are deleted before it returns.
impl<J> Drop for Pipeline<J> {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A worker: builds and deflates batches until there are none left or the
/// writer is gone, giving each spent batch back to be filled again.
fn work<J>(
    batches: &Mutex<Receiver<Batch<J>>>,
    to_writer: &SyncSender<Done>,
    give_back: &SyncSender<Vec<J>>,
    (load, build): (&Load<J>, &Build<J>),
) {
    let (mut z, mut parts) = (Deflater::default(), Parts::default());
    let mut sizes = (0, 0);
    loop {
        let next = batches.lock().map(|b| b.recv());
        let Ok(Ok((seq, batch))) = next else {
            return;
        };
        let entries = load(&batch, &mut parts)
            .and_then(|()| build_batch(&batch, build, &mut parts, &mut z, &mut sizes));
        if to_writer.send((seq, entries)).is_err() {
            return;
        }
        // When the caller holds enough spare batches already, this one goes.
        let _ = give_back.try_send(batch);
    }
}

/// Builds and deflates each record of `batch` alone, into one batch whose
/// buffers start a little larger than the last batch's `sizes` (so they
/// are seldom grown, each growth a copy of all they hold).
fn build_batch<J>(
    batch: &[J],
    build: &Build<J>,
    parts: &mut Parts,
    z: &mut Deflater,
    sizes: &mut (usize, usize),
) -> std::io::Result<Entries> {
    let mut bytes = Vec::with_capacity(sizes.0 + sizes.0 / 4);
    let mut text = String::with_capacity(sizes.1 + sizes.1 / 4);
    let mut add = |s: &str| {
        text.push_str(s);
        text.len() - s.len()..text.len()
    };
    let entries = batch
        .iter()
        .map(|job| {
            let built = build(job, parts)?;
            let deflated = Deflated::new(&built.id, &built.json, z, &mut bytes)?;
            let (id, modified) = (add(&built.id), add(&built.modified));
            let ecosystems = add(&built.ecosystems.join("\0"));
            let withdrawn = built.withdrawn;
            Ok(Entry {
                deflated,
                id,
                modified,
                ecosystems,
                withdrawn,
            })
        })
        .collect::<std::io::Result<_>>()?;
    *sizes = (bytes.len(), text.len());
    Ok(Entries {
        bytes,
        text,
        entries,
    })
}

/// The writer: adds the built batches to the zips and the list, in
/// sequence order.
fn write_in_order(done: &Receiver<Done>, dir: &Path) -> Result<Written, OsvExportError> {
    let (mut zips, mut listed) = (Zips::new(dir), Listed::new(dir));
    let mut counts = Counts::default();
    in_order(done, |batch| {
        let batch = batch.map_err(OsvExportError::io(&dir.join("all.zip")))?;
        for e in &batch.entries {
            let text = |r: &Range<usize>| &batch.text[r.clone()];
            let ecosystems = text(&e.ecosystems).split('\0').filter(|e| !e.is_empty());
            zips.add(ecosystems.clone(), &e.deflated, &batch.bytes)?;
            listed.push(text(&e.modified), text(&e.id), ecosystems)?;
            counts.add(e.withdrawn);
        }
        Ok::<_, OsvExportError>(())
    })?;
    Ok((zips, listed, counts))
}

/// Calls `each` with the items of `done` in the order of their sequence
/// numbers (0, 1, …), whatever order the threads sending them finished in;
/// its first error stops the walk.
pub(super) fn in_order<T, E>(
    done: &Receiver<(u64, T)>,
    mut each: impl FnMut(T) -> Result<(), E>,
) -> Result<(), E> {
    let mut early = BTreeMap::new();
    let mut next = 0u64;
    for (seq, item) in done {
        early.insert(seq, item);
        while let Some(item) = early.remove(&next) {
            each(item)?;
            next += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "pipe_tests.rs"]
mod tests;
