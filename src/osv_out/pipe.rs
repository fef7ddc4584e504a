//! The zips of a full export fed through a pipeline: the caller builds
//! records, worker threads (one per core) deflate them in batches, and a
//! writer thread adds them to the zips, so building, deflating and writing
//! overlap instead of taking turns.
//!
//! Invariants: records reach the zips in the order they were pushed, each
//! deflated alone (its bytes depend on it alone, not on the number of
//! workers or on which one took a batch: see `deflate`); at most a few
//! batches per worker are in flight, so memory stays bounded; the first
//! error stops the pipeline and is the one reported.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::OsvExportError;
use super::deflate::Deflater;
use super::record::Built;
use super::write::Zips;
use super::zipw::Deflated;

/// Records deflated together by one worker.
const BATCH: usize = 512;

type Batch = (u64, Vec<Built>);
/// A batch deflated: the compressed bytes of all its records, and each
/// record's ecosystems and entry (its JSON is freed where it was deflated).
type Deflateds = (Vec<u8>, Vec<(Vec<String>, Deflated)>);
type Done = (u64, std::io::Result<Deflateds>);

/// A running pipeline into the zips of `dir`.
pub struct Pipeline {
    batch: Vec<Built>,
    seq: u64,
    to_workers: Option<SyncSender<Batch>>,
    workers: Vec<JoinHandle<()>>,
    writer: Option<JoinHandle<Result<Zips, OsvExportError>>>,
}

impl Pipeline {
    pub fn start(dir: &Path) -> Pipeline {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        let (to_workers, batches) = sync_channel::<Batch>(cores);
        let (to_writer, done) = sync_channel::<Done>(cores * 2);
        let batches = Arc::new(Mutex::new(batches));
        let workers = (0..cores)
            .map(|_| {
                let (batches, to_writer) = (Arc::clone(&batches), to_writer.clone());
                std::thread::spawn(move || deflate_batches(&batches, &to_writer))
            })
            .collect();
        let dir = dir.to_owned();
        let writer = std::thread::spawn(move || write_in_order(Zips::new(&dir), &done, &dir));
        Pipeline {
            batch: Vec::with_capacity(BATCH),
            seq: 0,
            to_workers: Some(to_workers),
            workers,
            writer: Some(writer),
        }
    }

    /// Queues `record`; an error here is the pipeline's, see [`Self::finish`].
    pub fn push(&mut self, record: Built) {
        self.batch.push(record);
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

    /// Waits for every record to be written; returns the zips to finish.
    pub fn finish(mut self) -> Result<Zips, OsvExportError> {
        if !self.batch.is_empty() {
            self.send();
        }
        self.stop().expect("finished once")
    }

    /// Closes the queue and waits for every thread; `None` once stopped.
    fn stop(&mut self) -> Option<Result<Zips, OsvExportError>> {
        drop(self.to_workers.take());
        for worker in self.workers.drain(..) {
            worker.join().expect("a deflate worker does not panic");
        }
        let writer = self.writer.take()?;
        Some(writer.join().expect("the zip writer does not panic"))
    }
}

/// An export that fails before the end still waits for the threads, so the
/// zips' temporary files are deleted before it returns.
impl Drop for Pipeline {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A worker: deflates batches until there are none left or the writer is gone.
fn deflate_batches(batches: &Mutex<Receiver<Batch>>, to_writer: &SyncSender<Done>) {
    let mut z = Deflater::default();
    loop {
        let next = batches.lock().map(|b| b.recv());
        let Ok(Ok((seq, batch))) = next else {
            return;
        };
        let deflated = deflate(batch, &mut z);
        if to_writer.send((seq, deflated)).is_err() {
            return;
        }
    }
}

/// Deflates each record of `batch` alone, into one buffer for the batch.
fn deflate(batch: Vec<Built>, z: &mut Deflater) -> std::io::Result<Deflateds> {
    let json: usize = batch.iter().map(|b| b.json.len()).sum();
    let mut buffer = Vec::with_capacity(json + json / 16 + 64);
    let entries = batch
        .into_iter()
        .map(|b| {
            let entry = Deflated::new(format!("{}.json", b.id), &b.json, z, &mut buffer)?;
            Ok((b.ecosystems, entry))
        })
        .collect::<std::io::Result<_>>()?;
    Ok((buffer, entries))
}

/// The writer: adds the deflated batches to the zips in sequence order.
fn write_in_order(
    mut zips: Zips,
    done: &Receiver<Done>,
    dir: &Path,
) -> Result<Zips, OsvExportError> {
    let mut early = BTreeMap::new();
    let mut next = 0u64;
    for (seq, batch) in done {
        early.insert(seq, batch);
        while let Some(batch) = early.remove(&next) {
            let batch = batch.map_err(OsvExportError::io(&dir.join("all.zip")))?;
            let (buffer, entries) = batch;
            for (ecosystems, entry) in &entries {
                zips.add(ecosystems, entry, &buffer)?;
            }
            next += 1;
        }
    }
    Ok(zips)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_reach_the_zips_in_the_order_pushed_across_batches() {
        let dir = tempfile::tempdir().unwrap();
        let ids: Vec<String> = (0..BATCH * 5 + 7).map(|i| format!("ID-{i}")).collect();
        let mut pipeline = Pipeline::start(dir.path());
        for id in &ids {
            pipeline.push(Built {
                id: id.clone(),
                ecosystems: vec!["PyPI".to_owned()],
                modified: String::new(),
                json: format!("{{\"id\":\"{id}\"}}").into_bytes(),
            });
        }
        let mut pending = super::super::write::Pending::default();
        let ecosystems = pipeline.finish().unwrap().finish(&mut pending).unwrap();
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
