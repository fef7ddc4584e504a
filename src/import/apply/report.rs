//! What an apply leaves behind besides the rows: the conflict rows and the
//! ledger entry it records, and the outcome it reports.

use crate::bundle::SpooledBundle;
use crate::store::{ConflictRow, ImportCounts, LedgerEntry};

use super::Header;
use crate::import::plan::Conflict;
use crate::import::{ImportOptions, ImportOutcome};

pub(super) fn conflict_rows(
    header: &Header<'_>,
    conflicts: &[Conflict],
    opts: &ImportOptions,
) -> Vec<ConflictRow> {
    conflicts
        .iter()
        .map(|c| ConflictRow {
            site_id: header.site.site_id.clone(),
            merge_hash: c.merge_hash.clone(),
            field: c.field.clone(),
            local_value: c.local_value.to_string(),
            remote_value: c.remote_value.to_string(),
            resolution: c.resolution.as_str().to_owned(),
            recorded_at: opts.now.clone(),
        })
        .collect()
}

pub(super) fn ledger_entry(
    header: &Header<'_>,
    bundle: &SpooledBundle,
    counts: ImportCounts,
    opts: &ImportOptions,
) -> LedgerEntry {
    let manifest = bundle.manifest();
    LedgerEntry {
        // A forced import of an older bundle never moves the cursor back.
        advances: header
            .site
            .last_cursor
            .is_none_or(|last| manifest.export_cursor > last),
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
        reason: opts.reason.clone().filter(|_| header.forced),
    }
}

pub(super) fn outcome(
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
        conflicts,
        signer_key_id: bundle.signer_key_id().map(str::to_owned),
        signature_skipped: header.signature_skipped,
        forced: header.forced,
        items: manifest.counts.total,
        filtered_by: header
            .site
            .allowed_sources
            .clone()
            .filter(|_| manifest.counts.canonicals > 0)
            .filter(|_| counts.canonical_filtered == manifest.counts.canonicals),
        counts,
    }
}
