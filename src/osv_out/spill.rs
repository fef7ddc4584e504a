//! An external sort of byte strings in bounded memory: what the export
//! uses to bring a site's canonicals into advisory-id order, and its
//! records into `modified_id.csv` order, whatever the site's size.
//!
//! Invariants: at most about `budget` bytes are held in memory: half of it
//! filling, and the half before being sorted and written as a run, to an
//! anonymous temporary file (deleted when dropped), on a thread of its own
//! so that the caller goes on meanwhile. Runs are merged on the way out.
//! The output is the input sorted by plain byte order, so it does not
//! depend on the budget or on the threads' timing.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};

pub struct Sorter {
    dir: std::path::PathBuf,
    budget: usize,
    used: usize,
    held: Vec<Vec<u8>>,
    runs: Vec<File>,
    /// The run being sorted and written, at most one.
    spilling: Option<std::thread::JoinHandle<io::Result<File>>>,
}

impl Sorter {
    /// A sorter that spills beyond `budget` bytes into files in `dir`.
    pub fn new(budget: usize, dir: &std::path::Path) -> Sorter {
        Sorter {
            dir: dir.to_owned(),
            budget,
            used: 0,
            held: Vec::new(),
            runs: Vec::new(),
            spilling: None,
        }
    }

    pub fn push(&mut self, item: Vec<u8>) -> io::Result<()> {
        self.used += item.len() + 32;
        self.held.push(item);
        if self.used >= self.budget / 2 {
            self.spill()?;
        }
        Ok(())
    }

    /// Hands what is held to a thread that sorts and writes it as a run,
    /// once the run before it is written.
    fn spill(&mut self) -> io::Result<()> {
        self.wait()?;
        if self.runs.len() >= MAX_RUNS {
            let runs = std::mem::take(&mut self.runs);
            self.runs.push(merge_to_file(runs, &self.dir)?);
        }
        let (held, dir) = (std::mem::take(&mut self.held), self.dir.clone());
        self.spilling = Some(std::thread::spawn(move || write_run(held, &dir)));
        self.used = 0;
        Ok(())
    }

    /// Waits for the run being written, and keeps it.
    fn wait(&mut self) -> io::Result<()> {
        if let Some(spilling) = self.spilling.take() {
            let run = spilling.join().expect("a spill does not panic")?;
            self.runs.push(run);
        }
        Ok(())
    }

    /// Everything pushed, in byte order.
    pub fn finish(mut self) -> io::Result<Sorted> {
        self.wait()?;
        if self.runs.is_empty() {
            self.held.sort_unstable();
            return Ok(Sorted::Held(self.held.into_iter()));
        }
        if !self.held.is_empty() {
            self.spill()?;
            self.wait()?;
        }
        merged(self.runs)
    }
}

/// `items` sorted, as a run in a temporary file in `dir`.
fn write_run(mut items: Vec<Vec<u8>>, dir: &std::path::Path) -> io::Result<File> {
    items.sort_unstable();
    run_file(items.into_iter().map(Ok), dir)
}

/// `items` (already in order) as a run in a temporary file in `dir`:
/// each a length, then its bytes; read from its start.
fn run_file(
    items: impl IntoIterator<Item = io::Result<Vec<u8>>>,
    dir: &std::path::Path,
) -> io::Result<File> {
    let mut out = BufWriter::new(tempfile::tempfile_in(dir)?);
    for item in items {
        let item = item?;
        let len = u32::try_from(item.len()).map_err(io::Error::other)?;
        out.write_all(&len.to_le_bytes())?;
        out.write_all(&item)?;
    }
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
        if let Some(item) = next(run)? {
            heap.push(Reverse((item, index)));
        }
    }
    Ok(Sorted::Merged { heap, runs })
}

fn merge_to_file(runs: Vec<File>, dir: &std::path::Path) -> io::Result<File> {
    run_file(merged(runs)?, dir)
}

fn next(run: &mut BufReader<File>) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0; 4];
    match run.read_exact(&mut len) {
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        other => other?,
    }
    let mut item = vec![0; u32::from_le_bytes(len) as usize];
    run.read_exact(&mut item)?;
    Ok(Some(item))
}

pub enum Sorted {
    Held(std::vec::IntoIter<Vec<u8>>),
    Merged {
        heap: BinaryHeap<Reverse<(Vec<u8>, usize)>>,
        runs: Vec<BufReader<File>>,
    },
}

impl Iterator for Sorted {
    type Item = io::Result<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Sorted::Held(items) => items.next().map(Ok),
            Sorted::Merged { heap, runs } => {
                let Reverse((item, index)) = heap.pop()?;
                match next(&mut runs[index]) {
                    Ok(Some(following)) => heap.push(Reverse((following, index))),
                    Ok(None) => {}
                    Err(e) => return Some(Err(e)),
                }
                Some(Ok(item))
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
            sorter.push(item.clone()).unwrap();
        }
        sorter.finish().unwrap().map(Result::unwrap).collect()
    }

    #[test]
    fn the_order_does_not_depend_on_the_budget() {
        // A budget of 1 spills every item: 5,003 runs, merged 64 at a time.
        let items: Vec<Vec<u8>> = (0u32..5000)
            .map(|i| {
                (i.wrapping_mul(2_654_435_761) % 997)
                    .to_string()
                    .into_bytes()
            })
            .chain([Vec::new(), vec![0xFF, 0], vec![0xFF]])
            .collect();
        let mut expected = items.clone();
        expected.sort();
        assert_eq!(sorted(&items, usize::MAX), expected);
        assert_eq!(sorted(&items, 1000), expected);
        assert_eq!(sorted(&items, 1), expected);
    }
}
