//! The records of a full export built, deflated and written through a
//! pipeline: the caller hands over jobs (an advisory id and where its
//! parts are), worker threads (one per core) build and deflate each
//! batch's records, and a writer thread adds them to the zips and to
//! `modified_id.csv`'s list, so reading parts, building, deflating and
//! writing run on every core instead of taking turns on one.
//!
//! Invariants: records reach the zips and the list in the order their jobs
//! were pushed, each deflated alone (its bytes depend on it alone, not on
//! the number of workers or on which one took a batch: see `deflate`); at
//! most a few batches per worker are in flight, so memory stays bounded;
//! the first error stops the pipeline and is the one reported.

use std::collections::BTreeMap;
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
pub type Build<J> = dyn Fn(J, &mut Parts) -> std::io::Result<Built> + Send + Sync;

type Batch<J> = (u64, Vec<J>);
/// A batch built and deflated: the compressed bytes of all its records,
/// and each record (its JSON freed where it was deflated) with its entry.
type Deflateds = (Vec<u8>, Vec<(Built, Deflated)>);
type Done = (u64, std::io::Result<Deflateds>);
/// What the writer leaves: the zips to finish, the list and the counts.
pub type Written = (Zips, Listed, Counts);

/// A running pipeline into the zips of `dir`.
pub struct Pipeline<J> {
    batch: Vec<J>,
    seq: u64,
    to_workers: Option<SyncSender<Batch<J>>>,
    workers: Vec<JoinHandle<()>>,
    writer: Option<JoinHandle<Result<Written, OsvExportError>>>,
}

impl<J: Send + 'static> Pipeline<J> {
    pub fn start(dir: &Path, build: Arc<Build<J>>) -> Pipeline<J> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        let (to_workers, batches) = sync_channel::<Batch<J>>(cores);
        let (to_writer, done) = sync_channel::<Done>(cores * 2);
        let batches = Arc::new(Mutex::new(batches));
        let workers = (0..cores)
            .map(|_| {
                let (batches, to_writer) = (Arc::clone(&batches), to_writer.clone());
                let build = Arc::clone(&build);
                std::thread::spawn(move || work(&batches, &to_writer, &*build))
            })
            .collect();
        let dir = dir.to_owned();
        let writer = std::thread::spawn(move || write_in_order(&done, &dir));
        Pipeline {
            batch: Vec::with_capacity(BATCH),
            seq: 0,
            to_workers: Some(to_workers),
            workers,
            writer: Some(writer),
        }
    }

    /// Queues `job`; an error here is the pipeline's, see [`Self::finish`].
    pub fn push(&mut self, job: J) {
        self.batch.push(job);
        if self.batch.len() == BATCH {
            self.send();
        }
    }

    fn send(&mut self) {
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
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
        if !self.batch.is_empty() {
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
/// writer is gone.
fn work<J>(batches: &Mutex<Receiver<Batch<J>>>, to_writer: &SyncSender<Done>, build: &Build<J>) {
    let (mut z, mut parts) = (Deflater::default(), Parts::default());
    loop {
        let next = batches.lock().map(|b| b.recv());
        let Ok(Ok((seq, batch))) = next else {
            return;
        };
        let deflated = build_batch(batch, build, &mut parts, &mut z);
        if to_writer.send((seq, deflated)).is_err() {
            return;
        }
    }
}

/// Builds and deflates each record of `batch` alone, into one buffer.
fn build_batch<J>(
    batch: Vec<J>,
    build: &Build<J>,
    parts: &mut Parts,
    z: &mut Deflater,
) -> std::io::Result<Deflateds> {
    let mut buffer = Vec::new();
    let entries = batch
        .into_iter()
        .map(|job| {
            let mut built = build(job, parts)?;
            let name = format!("{}.json", built.id);
            let entry = Deflated::new(name, &built.json, z, &mut buffer)?;
            built.json = Vec::new();
            Ok((built, entry))
        })
        .collect::<std::io::Result<_>>()?;
    Ok((buffer, entries))
}

/// The writer: adds the deflated batches to the zips and the list, in
/// sequence order.
fn write_in_order(done: &Receiver<Done>, dir: &Path) -> Result<Written, OsvExportError> {
    let (mut zips, mut listed) = (Zips::new(dir), Listed::new(dir));
    let mut counts = Counts::default();
    let mut early = BTreeMap::new();
    let mut next = 0u64;
    for (seq, batch) in done {
        early.insert(seq, batch);
        while let Some(batch) = early.remove(&next) {
            let (buffer, entries) = batch.map_err(OsvExportError::io(&dir.join("all.zip")))?;
            for (built, entry) in &entries {
                zips.add(&built.ecosystems, entry, &buffer)?;
                listed.push(&built.modified, &built.id, &built.ecosystems)?;
                counts.add(built);
            }
            next += 1;
        }
    }
    Ok((zips, listed, counts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_reach_the_zips_in_the_order_pushed_across_batches() {
        let dir = tempfile::tempdir().unwrap();
        let ids: Vec<String> = (0..BATCH * 5 + 7).map(|i| format!("ID-{i}")).collect();
        let mut pipeline = Pipeline::start(dir.path(), Arc::new(|built, _: &mut _| Ok(built)));
        for id in &ids {
            pipeline.push(Built {
                id: id.clone(),
                ecosystems: vec!["PyPI".to_owned()],
                modified: String::new(),
                withdrawn: false,
                json: format!("{{\"id\":\"{id}\"}}").into_bytes(),
            });
        }
        let mut pending = super::super::write::Pending::default();
        let (zips, _, counts) = pipeline.finish().unwrap();
        assert_eq!(counts.records, ids.len() as u64);
        let ecosystems = zips.finish(&mut pending).unwrap();
        pending.commit().unwrap();
        assert_eq!(ecosystems, ["PyPI"]);
        for zip in ["all.zip", "PyPI/all.zip"] {
            let file = std::fs::File::open(dir.path().join(zip)).unwrap();
            let archive = zip::ZipArchive::new(file).unwrap();
            let names: Vec<String> = (0..archive.len())
                .map(|i| archive.name_for_index(i).unwrap().unwrap().into_owned())
                .collect();
            let expected: Vec<String> = ids.iter().map(|id| format!("{id}.json")).collect();
            assert_eq!(names, expected);
        }
    }
}
