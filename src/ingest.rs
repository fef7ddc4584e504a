//! TEMPORARY STUB (replaced by the osv branch).
#![allow(dead_code, unused_variables)]
use crate::osv::{InputError, RawRecord};
use crate::store::{StoreError, Txn};
pub struct IngestOptions { pub prune: bool, pub now: String }
#[derive(Debug, Default, serde::Serialize)]
pub struct RecordFailure { pub origin: String, pub id: Option<String>, pub message: String }
#[derive(Debug, Default, serde::Serialize)]
pub struct IngestReport { pub records_read: u64, pub records_unchanged: u64, pub failures: Vec<RecordFailure>, pub canonical_created: u64, pub canonical_updated: u64, pub canonical_withdrawn: u64, pub canonical_deleted: u64, pub canonical_pruned: u64 }
pub fn ingest(txn: &mut dyn Txn, records: impl Iterator<Item = Result<RawRecord, InputError>>, opts: &IngestOptions) -> Result<IngestReport, StoreError> { todo!() }
