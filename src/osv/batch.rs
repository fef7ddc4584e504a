//! The bounds of a hand-over of raw records between threads, shared by the
//! zip reader (`zipped.rs`) and the ingest pipeline, so that both cut the
//! input at the same places.
//!
//! Invariant: a batch holds at most [`BATCH`] records, and no record is
//! added once its raw bytes reach [`BATCH_BYTES`] (so one record more may
//! carry it past that; a single larger record still goes through). The
//! bytes are counted as records are pushed, never summed again.

use std::mem;

use super::{InputError, RawRecord};

/// Records per hand-over between threads (one wake-up each).
pub const BATCH: usize = 32;
/// Raw bytes per batch, at most (a single larger record still goes through).
pub const BATCH_BYTES: usize = 1 << 20;

type Item = Result<RawRecord, InputError>;

/// Records gathered for one hand-over, with their raw bytes counted.
#[derive(Debug, Default)]
pub struct Batch {
    items: Vec<Item>,
    bytes: usize,
}

impl Batch {
    /// Adds `item`; true when the batch is now full.
    pub fn push(&mut self, item: Item) -> bool {
        self.bytes += item.as_ref().map_or(0, |raw| raw.bytes.len());
        if self.items.capacity() == 0 {
            self.items.reserve_exact(BATCH);
        }
        self.items.push(item);
        self.items.len() >= BATCH || self.bytes >= BATCH_BYTES
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The records gathered so far, leaving the batch empty.
    pub fn take(&mut self) -> Vec<Item> {
        self.bytes = 0;
        mem::take(&mut self.items)
    }

    /// Up to a full batch from `records` (empty when they are done).
    pub fn next_from(records: &mut impl Iterator<Item = Item>) -> Vec<Item> {
        let mut batch = Batch::default();
        for item in records.by_ref() {
            if batch.push(item) {
                break;
            }
        }
        batch.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(len: usize) -> Item {
        Ok(RawRecord {
            origin: String::new(),
            bytes: vec![b' '; len],
        })
    }

    #[test]
    fn a_batch_ends_at_its_count_or_its_bytes() {
        let mut small = (0..100).map(|_| raw(10));
        assert_eq!(Batch::next_from(&mut small).len(), BATCH);
        let mut large = (0..10).map(|_| raw(BATCH_BYTES / 3 + 1));
        assert_eq!(Batch::next_from(&mut large).len(), 3);
        let mut huge = (0..2).map(|_| raw(BATCH_BYTES * 2));
        assert_eq!(Batch::next_from(&mut huge).len(), 1);
        assert_eq!(Batch::next_from(&mut huge).len(), 1);
        assert!(Batch::next_from(&mut huge).is_empty());
    }

    #[test]
    fn taking_starts_the_count_again() {
        let mut batch = Batch::default();
        assert!(!batch.push(raw(BATCH_BYTES - 1)));
        assert_eq!(batch.take().len(), 1);
        assert!(batch.is_empty());
        assert!(!batch.push(raw(BATCH_BYTES - 1)));
        assert!(batch.push(raw(1)));
    }
}
