//! The apply phase: one transaction over the spooled, verified bundle.

use std::collections::HashSet;

use crate::bundle::SpooledBundle;
use crate::model::{CanonicalRecord, Deletion};
use crate::store::{
    EventAction, ImportCounts, LedgerEntry, NewEvent, Site, Store, StoreError, Txn,
};

use super::plan::{Conflict, ConflictStrategy, Decision, decide};
use super::{ImportError, ImportOptions, ImportOutcome};

pub struct Header<'a> {
    pub site: &'a Site,
    pub forced: bool,
    pub signature_skipped: bool,
}

pub fn apply(
    store: &mut dyn Store,
    header: &Header<'_>,
    bundle: &SpooledBundle,
    opts: &ImportOptions,
) -> Result<ImportOutcome, ImportError> {
    let mut txn = store.begin()?;
    let mut run = Run {
        txn: txn.as_mut(),
        header,
        bundle,
        opts,
        counts: ImportCounts::default(),
        conflicts: Vec::new(),
    };
    run.records()?;
    run.deletions()?;
    let (counts, conflicts) = (run.counts, run.conflicts);
    if opts.on_conflict == ConflictStrategy::Fail && !conflicts.is_empty() {
        return Err(ImportError::Conflicts { conflicts });
    }
    let entry = ledger_entry(header, bundle, counts, opts);
    txn.record_import(&entry)?;
    if !opts.dry_run {
        txn.commit()?;
    }
    Ok(outcome(header, bundle, counts, conflicts, opts, false))
}

/// A bundle whose signed manifest is already in the ledger: report, change nothing.
pub fn replayed(
    header: &Header<'_>,
    bundle: &SpooledBundle,
    _previous: LedgerEntry,
    opts: &ImportOptions,
) -> ImportOutcome {
    outcome(
        header,
        bundle,
        ImportCounts::default(),
        Vec::new(),
        opts,
        true,
    )
}

struct Run<'r, 'a> {
    txn: &'r mut dyn Txn,
    header: &'r Header<'a>,
    bundle: &'r SpooledBundle,
    opts: &'r ImportOptions,
    counts: ImportCounts,
    conflicts: Vec<Conflict>,
}

impl Run<'_, '_> {
    fn site_id(&self) -> &str {
        &self.header.site.site_id
    }

    fn records(&mut self) -> Result<(), ImportError> {
        let mut seen = HashSet::new();
        for record in self.bundle.records()? {
            let record = record?;
            if !seen.insert(record.canonical.merge_hash.clone()) {
                let merge_hash = record.canonical.merge_hash;
                return Err(ImportError::DuplicateCanonical { merge_hash });
            }
            if let Some(record) = self.filter_sources(record) {
                self.record(record)?;
            }
        }
        Ok(())
    }

    /// Drops edges from sources the site may not send; a canonical left with
    /// no edge is dropped too.
    fn filter_sources(&mut self, mut record: CanonicalRecord) -> Option<CanonicalRecord> {
        let Some(allowed) = self.header.site.allowed_sources.as_ref() else {
            return Some(record);
        };
        let before = record.edges.len();
        record.edges.retain(|e| allowed.contains(&e.source));
        self.counts.edges_filtered += (before - record.edges.len()) as u64;
        if record.edges.is_empty() && before > 0 {
            self.counts.canonical_filtered += 1;
            return None;
        }
        Some(record)
    }

    fn record(&mut self, remote: CanonicalRecord) -> Result<(), StoreError> {
        let merge_hash = remote.canonical.merge_hash.clone();
        let local = self.txn.canonical(&merge_hash)?;
        let base = self.txn.taken(&self.header.site.site_id, &merge_hash)?;
        let digest = remote.digest();
        let decision = decide(local.as_ref(), base.as_deref(), &remote, &digest);
        let take = match decision {
            Decision::Create => Some(EventAction::Created),
            Decision::Update => Some(EventAction::Updated),
            Decision::Skip => None,
            Decision::Conflict(fields) => self.conflict(&merge_hash, fields),
        };
        match take {
            Some(action) => self.take(local.as_ref(), &remote, action)?,
            None => self.counts.canonical_skipped += 1,
        }
        let site_id = self.header.site.site_id.clone();
        self.txn.set_taken(&site_id, &merge_hash, &digest)
    }

    fn conflict(
        &mut self,
        merge_hash: &str,
        fields: Vec<(String, serde_json::Value, serde_json::Value)>,
    ) -> Option<EventAction> {
        let resolution = self.opts.on_conflict;
        self.counts.conflicts += 1;
        self.conflicts.extend(
            fields
                .into_iter()
                .map(|(field, local_value, remote_value)| Conflict {
                    merge_hash: merge_hash.to_owned(),
                    field,
                    local_value,
                    remote_value,
                    resolution,
                }),
        );
        (resolution == ConflictStrategy::PreferRemote).then_some(EventAction::Updated)
    }

    fn take(
        &mut self,
        local: Option<&CanonicalRecord>,
        remote: &CanonicalRecord,
        action: EventAction,
    ) -> Result<(), StoreError> {
        // An edge is new when its source record was not linked before.
        let old_edges = local.map(|l| l.edges.as_slice()).unwrap_or_default();
        let linked = |e: &crate::model::SourceEdge| {
            old_edges
                .iter()
                .any(|o| o.source == e.source && o.source_advisory_id == e.source_advisory_id)
        };
        let added = remote.edges.iter().filter(|e| !linked(e)).count();
        self.counts.edges_added += added as u64;
        match action {
            EventAction::Created => self.counts.canonical_created += 1,
            _ => self.counts.canonical_updated += 1,
        }
        let cursor = self.txn.put(remote)?;
        self.event(
            &remote.canonical.id,
            &remote.canonical.merge_hash,
            &remote.canonical.cve,
            &remote.canonical.affects_key,
            action,
            cursor,
        )
    }

    fn deletions(&mut self) -> Result<(), ImportError> {
        for deletion in self.bundle.deletions()? {
            self.deletion(deletion?)?;
        }
        Ok(())
    }

    fn deletion(&mut self, deletion: Deletion) -> Result<(), StoreError> {
        let local = self.txn.canonical(&deletion.merge_hash)?;
        let Some(cursor) = self.txn.delete(&deletion)? else {
            return Ok(());
        };
        self.counts.deletions_processed += 1;
        let (cve, affects_key) = local
            .map(|l| (l.canonical.cve, l.canonical.affects_key))
            .unwrap_or_default();
        self.event(
            &deletion.canonical_id,
            &deletion.merge_hash,
            &cve,
            &affects_key,
            EventAction::Deleted,
            cursor,
        )
    }

    fn event(
        &mut self,
        canonical_id: &uuid::Uuid,
        merge_hash: &str,
        cve: &str,
        affects_key: &str,
        action: EventAction,
        cursor: crate::cursor::Cursor,
    ) -> Result<(), StoreError> {
        let event = NewEvent {
            canonical_id: *canonical_id,
            merge_hash: merge_hash.to_owned(),
            cve: cve.to_owned(),
            affects_key: affects_key.to_owned(),
            action,
            source_site_id: self.site_id().to_owned(),
            bundle_hash: self.bundle.bundle_hash().to_owned(),
            cursor,
            imported_at: self.opts.now.clone(),
        };
        self.txn.append_event(&event)
    }
}

fn ledger_entry(
    header: &Header<'_>,
    bundle: &SpooledBundle,
    counts: ImportCounts,
    opts: &ImportOptions,
) -> LedgerEntry {
    let manifest = bundle.manifest();
    LedgerEntry {
        site_id: header.site.site_id.clone(),
        bundle_hash: bundle.bundle_hash().to_owned(),
        manifest_sha256: bundle.manifest_sha256().to_owned(),
        since_cursor: manifest.since_cursor,
        export_cursor: manifest.export_cursor,
        imported_at: opts.now.clone(),
        signer_key_id: bundle.signer_key_id().map(str::to_owned),
        signature_skipped: header.signature_skipped,
        forced: header.forced,
        counts,
        items: manifest.counts.total,
    }
}

fn outcome(
    header: &Header<'_>,
    bundle: &SpooledBundle,
    counts: ImportCounts,
    conflicts: Vec<Conflict>,
    opts: &ImportOptions,
    already_imported: bool,
) -> ImportOutcome {
    let manifest = bundle.manifest();
    ImportOutcome {
        success: true,
        dry_run: opts.dry_run,
        already_imported,
        site_id: header.site.site_id.clone(),
        bundle_hash: bundle.bundle_hash().to_owned(),
        imported_cursor: manifest.export_cursor,
        since_cursor: manifest.since_cursor,
        counts,
        conflicts,
        signer_key_id: bundle.signer_key_id().map(str::to_owned),
        signature_skipped: header.signature_skipped,
        forced: header.forced,
    }
}
