//! What an ingest run tells its caller: totals, and the refused records
//! grouped by reason.
//!
//! Invariants:
//! - `records_read = records_ingested + records_unchanged + records_refused`:
//!   every record read is counted exactly once.
//! - `records_refused` is the sum of the groups' `count`s, and each group
//!   holds every refused record of its reason, in the order read; a caller
//!   that shows only some of them cuts a copy ([`IngestReport::cut`]).
//! - Groups are in the order their first record was read, so the same input
//!   always gives the same report.

use serde::Serialize;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    pub records_read: u64,
    /// Records that changed the store.
    pub records_ingested: u64,
    /// Records the store already held, byte for byte.
    pub records_unchanged: u64,
    pub records_refused: u64,
    pub canonical_created: u64,
    pub canonical_updated: u64,
    pub canonical_withdrawn: u64,
    /// Deleted because their source record now yields other merge hashes.
    pub canonical_deleted: u64,
    pub canonical_pruned: u64,
    /// `prune` was asked for but skipped: a refused record named no id.
    pub prune_skipped: bool,
    /// The refused records, one group per reason.
    pub refusals: Vec<Refusals>,
}

/// The refused records of one reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refusals {
    /// The reason, the same text for every record of the group.
    pub reason: &'static str,
    /// How many records were refused for it (`records` may be cut).
    pub count: u64,
    pub records: Vec<RecordFailure>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordFailure {
    /// The file, `<zip>!<entry>` or `<stream>#<n>` it came from.
    pub origin: String,
    pub id: Option<String>,
    /// The whole message, with what is particular to this record.
    #[serde(rename = "error")]
    pub message: String,
    /// What is particular to this record beyond its group's reason (a JSON
    /// syntax error's position, the field a peer would refuse), if anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl RecordFailure {
    pub fn new(
        origin: String,
        id: Option<String>,
        message: String,
        detail: Option<String>,
    ) -> Self {
        RecordFailure {
            origin,
            id,
            message,
            detail,
        }
    }
}

impl IngestReport {
    /// Canonicals created, updated, withdrawn, deleted or pruned.
    pub fn changed(&self) -> u64 {
        self.canonical_created
            + self.canonical_updated
            + self.canonical_withdrawn
            + self.canonical_deleted
            + self.canonical_pruned
    }

    /// Counts a refused record in the group of its reason.
    pub(super) fn refuse(&mut self, reason: &'static str, failure: RecordFailure) {
        self.records_refused += 1;
        match self.refusals.iter_mut().find(|g| g.reason == reason) {
            Some(group) => {
                group.count += 1;
                group.records.push(failure);
            }
            None => self.refusals.push(Refusals {
                reason,
                count: 1,
                records: vec![failure],
            }),
        }
    }

    /// A copy whose groups list at most `keep` records each (counts stay).
    pub fn cut(&self, keep: usize) -> IngestReport {
        let mut cut = self.clone();
        for group in &mut cut.refusals {
            group.records.truncate(keep);
        }
        cut
    }
}
