//! Deletions, after every canonical: each tombstone the store records is an
//! event, told what the store held of the canonical (only its ids when it
//! held nothing).

use crate::model::{CanonicalRecord, Deletion};
use crate::store::{EventAction, StoreError};

use super::{BATCH, Run};
use crate::import::ImportError;

impl Run<'_, '_> {
    pub(super) fn deletions(&mut self) -> Result<(), ImportError> {
        let mut rows = self.bundle.deletions()?;
        loop {
            let batch = rows
                .by_ref()
                .take(BATCH)
                .collect::<Result<Vec<Deletion>, _>>()?;
            let done = batch.len() < BATCH;
            self.opts.cancel.check()?;
            self.deletion_batch(&batch)?;
            self.progress.advance(batch.len() as u64);
            if done {
                return Ok(());
            }
        }
    }

    fn deletion_batch(&mut self, batch: &[Deletion]) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let hashes: Vec<String> = batch.iter().map(|d| d.merge_hash.clone()).collect();
        let locals = self.txn.canonicals(&hashes)?;
        let cursors = self.txn.delete_many(batch)?;
        let mut events = Vec::new();
        for ((deletion, local), cursor) in batch.iter().zip(locals).zip(cursors) {
            let Some(cursor) = cursor else { continue };
            self.counts.deletions_processed += 1;
            let mut gone = local.unwrap_or_else(|| tombstone_record(deletion));
            gone.canonical.id = deletion.canonical_id;
            events.push(self.event(&gone, EventAction::Deleted, cursor));
        }
        self.txn.append_events(&events)
    }
}

/// What an event can say of a canonical we never held: its ids.
fn tombstone_record(deletion: &Deletion) -> CanonicalRecord {
    use crate::model::{Canonical, Severity, Status};
    CanonicalRecord {
        canonical: Canonical {
            id: deletion.canonical_id,
            cve: String::new(),
            affects_key: String::new(),
            merge_hash: deletion.merge_hash.clone(),
            status: Status::Withdrawn,
            severity: Severity::Unknown,
            title: String::new(),
            summary: String::new(),
            cvss_vector: None,
            version_range: Vec::new(),
            weaknesses: Vec::new(),
            patch_lineage: Vec::new(),
            published: None,
            modified: None,
        },
        edges: Vec::new(),
    }
}
