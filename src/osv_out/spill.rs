//! An external sort of byte strings in bounded memory: what the export
//! uses to bring a site's canonicals into advisory-id order, and its
//! records into `modified_id.csv` order, whatever the site's size.
//!
//! Invariants: at most about `budget` bytes are held in memory: half of it
//! filling (allocated once, and filled again), and the half before being
//! sorted and written as a run, to an anonymous temporary file (deleted
//! when dropped), on a thread of its own so that the caller goes on
//! meanwhile. Runs are merged on the way out.
//! The output is the input sorted by plain byte order, so it does not
//! depend on the budget or on the threads' timing. Items are held end to
//! end in one buffer and handed out into the caller's: no item is an
//! allocation of its own (a million of them, allocated on one thread and
//! freed on another, cost more than the sort).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::ops::Range;

pub struct Sorter {
    dir: std::path::PathBuf,
    budget: usize,
    held: Held,
    /// The buffers of the last run written, to be filled again.
    spare: Held,
    runs: Vec<File>,
    /// The run being sorted and written, at most one.
    spilling: Option<std::thread::JoinHandle<io::Result<(File, Held)>>>,
}

/// The room of one half at most, whatever the budget.
const MAX_ROOM: usize = 64 << 20;

/// An item's size that is never exceeded in practice (index entries and
/// list lines are an id, a merge hash or a time, and a few numbers): one
/// larger grows the buffer it goes to, once.
const ITEM_ROOM: usize = 4 << 10;

/// Items end to end in one buffer, each at its span.
#[derive(Default)]
pub struct Held {
    bytes: Vec<u8>,
    spans: Vec<Range<usize>>,
}

impl Held {
    /// Room for `size` bytes of items and their spans, a quarter of it for
    /// the spans, allocated once: the buffers never grow (and so never
    /// take twice their room while they are copied), they fill up.
    fn with_room(size: usize) -> Held {
        let spans = size / 4 / std::mem::size_of::<Range<usize>>();
        Held {
            bytes: Vec::with_capacity(size - size / 4),
            spans: Vec::with_capacity(spans),
        }
    }

    /// Whether one more item (of at most [`ITEM_ROOM`] bytes) may not fit.
    fn full(&self) -> bool {
        self.bytes.len() + ITEM_ROOM > self.bytes.capacity()
            || self.spans.len() == self.spans.capacity()
    }

    fn sort(&mut self) {
        let bytes = &self.bytes;
        self.spans
            .sort_unstable_by(|a, b| bytes[a.clone()].cmp(&bytes[b.clone()]));
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.spans.clear();
    }
}

impl Sorter {
    /// A sorter that spills beyond `budget` bytes into files in `dir`.
    pub fn new(budget: usize, dir: &std::path::Path) -> Sorter {
        Sorter {
            dir: dir.to_owned(),
            budget,
            held: Held::default(),
            spare: Held::default(),
            runs: Vec::new(),
            spilling: None,
        }
    }

    /// One item, written by `fill` at the end of the buffer it is given.
    pub fn push_with(&mut self, fill: impl FnOnce(&mut Vec<u8>)) -> io::Result<()> {
        if self.held.bytes.capacity() == 0 {
            self.held = Held::with_room((self.budget / 2).min(MAX_ROOM));
        }
        let start = self.held.bytes.len();
        fill(&mut self.held.bytes);
        self.held.spans.push(start..self.held.bytes.len());
        if self.held.full() {
            self.spill()?;
        }
        Ok(())
    }

    #[cfg(test)]
    pub fn push(&mut self, item: &[u8]) -> io::Result<()> {
        self.push_with(|bytes| bytes.extend_from_slice(item))
    }

    /// Hands what is held to a thread that sorts and writes it as a run,
    /// once the run before it is written.
    fn spill(&mut self) -> io::Result<()> {
        self.wait()?;
        if self.runs.len() >= MAX_RUNS {
            let runs = std::mem::take(&mut self.runs);
            self.runs.push(merge_to_file(runs, &self.dir)?);
        }
        let next = std::mem::take(&mut self.spare);
        let (held, dir) = (std::mem::replace(&mut self.held, next), self.dir.clone());
        self.spilling = Some(std::thread::spawn(move || write_run(held, &dir)));
        Ok(())
    }

    /// Waits for the run being written, and keeps it.
    fn wait(&mut self) -> io::Result<()> {
        if let Some(spilling) = self.spilling.take() {
            let (run, mut spent) = spilling.join().expect("a spill does not panic")?;
            spent.clear();
            self.spare = spent;
            self.runs.push(run);
        }
        Ok(())
    }

    /// Everything pushed, in byte order.
    pub fn finish(mut self) -> io::Result<Sorted> {
        self.wait()?;
        if self.runs.is_empty() {
            self.held.sort();
            return Ok(Sorted::Held(self.held, 0));
        }
        if !self.held.spans.is_empty() {
            self.spill()?;
            self.wait()?;
        }
        merged(self.runs)
    }
}

/// `held` sorted, as a run in a temporary file in `dir`; its buffers back.
fn write_run(mut held: Held, dir: &std::path::Path) -> io::Result<(File, Held)> {
    held.sort();
    let mut out = BufWriter::new(tempfile::tempfile_in(dir)?);
    for span in &held.spans {
        write_item(&mut out, &held.bytes[span.clone()])?;
    }
    Ok((finish_run(out)?, held))
}

/// An item in a run: its length, then its bytes.
fn write_item(out: &mut impl Write, item: &[u8]) -> io::Result<()> {
    let len = u32::try_from(item.len()).map_err(io::Error::other)?;
    out.write_all(&len.to_le_bytes())?;
    out.write_all(item)
}

/// The run written, to be read from its start.
fn finish_run(out: BufWriter<File>) -> io::Result<File> {
    let mut file = out.into_inner().map_err(|e| e.into_error())?;
    file.rewind()?;
    Ok(file)
}

/// Runs merged at once at most: past it, they are merged into one run
/// first, so open files stay few however large the input.
const MAX_RUNS: usize = 64;

fn merged(runs: Vec<File>) -> io::Result<Sorted> {
    let mut runs: Vec<BufReader<File>> = runs.into_iter().map(BufReader::new).collect();
    let mut heap = BinaryHeap::new();
    for (index, run) in runs.iter_mut().enumerate() {
        let mut item = Vec::new();
        if read_item(run, &mut item)? {
            heap.push(Reverse((item, index)));
        }
    }
    Ok(Sorted::Merged { heap, runs })
}

fn merge_to_file(runs: Vec<File>, dir: &std::path::Path) -> io::Result<File> {
    let mut sorted = merged(runs)?;
    let mut out = BufWriter::new(tempfile::tempfile_in(dir)?);
    let mut item = Vec::new();
    while sorted.next_into(&mut item)? {
        write_item(&mut out, &item)?;
    }
    finish_run(out)
}

/// The next item of `run` into `item`; `false` at its end.
fn read_item(run: &mut BufReader<File>, item: &mut Vec<u8>) -> io::Result<bool> {
    let mut len = [0; 4];
    match run.read_exact(&mut len) {
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
        other => other?,
    }
    item.clear();
    item.resize(u32::from_le_bytes(len) as usize, 0);
    run.read_exact(item)?;
    Ok(true)
}

pub enum Sorted {
    /// Sorted in memory, and the next item's place.
    Held(Held, usize),
    Merged {
        heap: BinaryHeap<Reverse<(Vec<u8>, usize)>>,
        runs: Vec<BufReader<File>>,
    },
}

impl Sorted {
    /// The next item into `item` (its buffer reused); `false` at the end.
    pub fn next_into(&mut self, item: &mut Vec<u8>) -> io::Result<bool> {
        match self {
            Sorted::Held(held, next) => {
                let Some(span) = held.spans.get(*next) else {
                    return Ok(false);
                };
                *next += 1;
                item.clear();
                item.extend_from_slice(&held.bytes[span.clone()]);
                Ok(true)
            }
            Sorted::Merged { heap, runs } => {
                let Some(Reverse((mut smallest, index))) = heap.pop() else {
                    return Ok(false);
                };
                std::mem::swap(item, &mut smallest);
                // `smallest` now holds the caller's old buffer: the run's
                // next item goes there.
                if read_item(&mut runs[index], &mut smallest)? {
                    heap.push(Reverse((smallest, index)));
                }
                Ok(true)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(items: &[Vec<u8>], budget: usize) -> Vec<Vec<u8>> {
        let dir = tempfile::tempdir().unwrap();
        let mut sorter = Sorter::new(budget, dir.path());
        for item in items {
            sorter.push(item).unwrap();
        }
        let (mut sorted, mut out, mut item) = (sorter.finish().unwrap(), Vec::new(), Vec::new());
        while sorted.next_into(&mut item).unwrap() {
            out.push(item.clone());
        }
        out
    }

    #[test]
    fn the_order_does_not_depend_on_the_budget() {
        // A budget of 1 spills every item: 5,004 runs, merged 64 at a time.
        let items: Vec<Vec<u8>> = (0u32..5000)
            .map(|i| {
                (i.wrapping_mul(2_654_435_761) % 997)
                    .to_string()
                    .into_bytes()
            })
            // An item past `ITEM_ROOM` grows the buffer it goes to.
            .chain([
                Vec::new(),
                vec![0xFF, 0],
                vec![0xFF],
                vec![b'5'; 3 * ITEM_ROOM],
            ])
            .collect();
        let mut expected = items.clone();
        expected.sort();
        assert_eq!(sorted(&items, usize::MAX), expected);
        assert_eq!(sorted(&items, 1000), expected);
        assert_eq!(sorted(&items, 1), expected);
    }
}
