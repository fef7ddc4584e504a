//! Progress of the long streaming paths (ingest, export, validate, import).
//!
//! The core reports phases through [`Progress`]: `start` a phase with its
//! unit and, when known, its total (a file's length, a manifest's item
//! count), `advance` it, `finish` it. The core never draws anything; the CLI
//! decides whether and where to show it (`command::progress`), and [`NoProgress`]
//! ignores it all.
//!
//! Cost invariant: the paths that report are the ones a benchmark measures,
//! so reports are batched here — [`CountingReader`] / [`CountingWriter`]
//! advance at most once per [`BYTE_STEP`] bytes and [`Ticker`] once per
//! [`ITEM_STEP`] items — and whatever is left is reported when they are
//! dropped or flushed.

use std::cell::Cell;
use std::io::{Read, Write};

/// What a phase counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Bytes,
    Items,
}

/// A sink for progress reports. Methods take `&self` so one reporter can be
/// shared by the readers, writers and loops of a command.
pub trait Progress {
    /// Begins a phase (and ends the previous one, if any).
    fn start(&self, phase: &str, unit: Unit, total: Option<u64>);
    /// `n` more bytes or items of the current phase are done.
    fn advance(&self, n: u64);
    /// The current phase is over.
    fn finish(&self);
}

/// Reports nowhere.
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _phase: &str, _unit: Unit, _total: Option<u64>) {}
    fn advance(&self, _n: u64) {}
    fn finish(&self) {}
}

/// Bytes between two reports of a reader or writer.
pub const BYTE_STEP: u64 = 64 * 1024;
/// Items between two reports of a [`Ticker`].
pub const ITEM_STEP: u64 = 64;

/// Counts `n` and reports once `step` has accumulated (and on drop).
struct Batch<'p> {
    progress: &'p dyn Progress,
    pending: Cell<u64>,
    step: u64,
}

impl<'p> Batch<'p> {
    fn new(progress: &'p dyn Progress, step: u64) -> Self {
        Batch {
            progress,
            pending: Cell::new(0),
            step,
        }
    }

    fn add(&self, n: u64) {
        let pending = self.pending.get() + n;
        if pending >= self.step {
            self.progress.advance(pending);
            self.pending.set(0);
        } else {
            self.pending.set(pending);
        }
    }

    fn flush(&self) {
        let pending = self.pending.replace(0);
        if pending > 0 {
            self.progress.advance(pending);
        }
    }
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        self.flush();
    }
}

/// A reader that reports the bytes read through it.
pub struct CountingReader<'p, R> {
    inner: R,
    batch: Batch<'p>,
}

impl<'p, R: Read> CountingReader<'p, R> {
    pub fn new(inner: R, progress: &'p dyn Progress) -> Self {
        let batch = Batch::new(progress, BYTE_STEP);
        CountingReader { inner, batch }
    }
}

impl<R: Read> Read for CountingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.batch.add(n as u64);
        Ok(n)
    }
}

/// A writer that reports the bytes written through it.
pub struct CountingWriter<'p, W> {
    inner: W,
    batch: Batch<'p>,
}

impl<'p, W: Write> CountingWriter<'p, W> {
    pub fn new(inner: W, progress: &'p dyn Progress) -> Self {
        let batch = Batch::new(progress, BYTE_STEP);
        CountingWriter { inner, batch }
    }
}

impl<W: Write> Write for CountingWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.batch.add(n as u64);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.batch.flush();
        self.inner.flush()
    }
}

/// Counts items of a loop and reports them in batches.
pub struct Ticker<'p> {
    batch: Batch<'p>,
}

impl<'p> Ticker<'p> {
    pub fn new(progress: &'p dyn Progress) -> Self {
        let batch = Batch::new(progress, ITEM_STEP);
        Ticker { batch }
    }

    pub fn tick(&self, n: u64) {
        self.batch.add(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[derive(Default)]
    struct Recorded(RefCell<Vec<String>>);

    impl Progress for Recorded {
        fn start(&self, phase: &str, unit: Unit, total: Option<u64>) {
            self.0
                .borrow_mut()
                .push(format!("start {phase} {unit:?} {total:?}"));
        }
        fn advance(&self, n: u64) {
            self.0.borrow_mut().push(format!("+{n}"));
        }
        fn finish(&self) {
            self.0.borrow_mut().push("finish".into());
        }
    }

    #[test]
    fn reader_reports_in_steps_and_the_rest_on_drop() {
        let progress = Recorded::default();
        let data = vec![7u8; (BYTE_STEP * 2 + 10) as usize];
        let mut out = Vec::new();
        std::io::copy(&mut CountingReader::new(&data[..], &progress), &mut out).unwrap();
        let events = progress.0.take();
        let total: u64 = events.iter().map(|e| e[1..].parse::<u64>().unwrap()).sum();
        assert_eq!(total, data.len() as u64);
        assert!(events.len() <= 3, "{events:?}");
        assert_eq!(out, data);
    }

    #[test]
    fn ticker_batches_items() {
        let progress = Recorded::default();
        {
            let ticker = Ticker::new(&progress);
            for _ in 0..(ITEM_STEP * 2 + 1) {
                ticker.tick(1);
            }
        }
        let expected = vec![
            format!("+{ITEM_STEP}"),
            format!("+{ITEM_STEP}"),
            "+1".into(),
        ];
        assert_eq!(progress.0.take(), expected);
    }

    #[test]
    fn writer_reports_on_flush() {
        let progress = Recorded::default();
        let mut writer = CountingWriter::new(Vec::new(), &progress);
        writer.write_all(b"abc").unwrap();
        writer.flush().unwrap();
        assert_eq!(progress.0.take(), vec!["+3".to_owned()]);
    }
}
