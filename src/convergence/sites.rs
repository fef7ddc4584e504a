//! Real sites for the convergence runs: each a store (SQLite in memory, or
//! a PostgreSQL schema) driven through the same calls the commands make:
//! `ingest::ingest`, `export::plan` and `Exporter::write`, `import::import`.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::cursor::Cursor;
use crate::export::{Exporter, Part};
use crate::import::{Cancel, ImportOptions, ImportOutcome, ImportPolicy, Input, Quiet};
use crate::model::History;
use crate::osv::RawRecord;
use crate::progress::NoProgress;
use crate::store::{ExportRow, NewSite, Store};

use super::scenario::snapshot;

pub struct Site {
    pub id: String,
    pub store: Box<dyn Store>,
}

/// One clock for every site, one tick per read: times are all distinct.
#[derive(Clone, Default)]
pub struct Clock(Arc<AtomicI64>);

impl Clock {
    pub fn boxed(&self) -> Box<dyn Fn() -> i64 + Send> {
        let inner = Arc::clone(&self.0);
        Box::new(move || 1_735_689_600_000 + inner.fetch_add(1, Ordering::SeqCst))
    }

    fn now(&self) -> String {
        crate::cursor::format_millis(1_735_689_600_000 + self.0.fetch_add(1, Ordering::SeqCst))
    }
}

pub fn site_id(i: usize) -> String {
    format!("s{i}")
}

/// Registers `from` at `to`, once per link.
pub fn link(to: &mut Site, from: &str) {
    if to.store.site(from).unwrap().is_none() {
        let site = NewSite {
            site_id: from.to_owned(),
            display_name: from.to_owned(),
            enabled: true,
            created_at: "2025-01-01T00:00:00.000Z".to_owned(),
        };
        to.store.add_site(&site).unwrap();
    }
}

impl Site {
    pub fn ingest(&mut self, source: usize, k: usize, prune: bool, clock: &Clock) {
        let records = snapshot(source, k).into_iter().map(|r| {
            Ok(RawRecord {
                origin: r.id.clone(),
                bytes: r.osv(),
            })
        });
        let opts = crate::ingest::IngestOptions {
            prune,
            now: clock.now(),
            site_id: self.id.clone(),
            source: None,
            scratch_dir: std::env::temp_dir(),
        };
        let mut txn = self.store.begin().unwrap();
        let report = crate::ingest::ingest(txn.as_mut(), records, &opts, &NoProgress).unwrap();
        assert!(report.refusals.is_empty(), "{:?}", report.refusals);
        txn.commit().unwrap();
    }

    /// The delta after `since` as one bundle; `None` when there is nothing.
    pub fn export(&self, since: Option<Cursor>, for_peer: Option<&str>) -> Option<Vec<u8>> {
        let parts = crate::export::plan(self.store.as_ref(), since, u64::MAX, for_peer).unwrap();
        let part: &Part = parts.first()?;
        assert_eq!(parts.len(), 1);
        let spool = tempfile::tempdir().unwrap();
        let exporter = Exporter {
            store: self.store.as_ref(),
            site_id: &self.id,
            skip_via: for_peer,
            signer: None,
            options: crate::bundle::WriteOptions::default(),
            spool_dir: spool.path(),
            progress: &NoProgress,
        };
        let mut out = Vec::new();
        exporter.write(part, &mut out).unwrap();
        Some(out)
    }

    pub fn import(&mut self, bundle: &[u8], force: bool) -> ImportOutcome {
        let policy = ImportPolicy {
            local_site_id: self.id.clone(),
            allowed_sites: Vec::new(),
            max_bundle_size_bytes: u64::MAX,
            require_signature: false,
            skip_signature_on_trusted_sites: false,
            max_clock_skew_seconds: u64::MAX / 4_000,
            max_decompression_ratio: crate::bundle::DEFAULT_MAX_RATIO,
            default_on_conflict: crate::import::ConflictStrategy::Newest,
        };
        let staging = tempfile::tempdir().unwrap();
        let opts = ImportOptions {
            dry_run: false,
            skip_signature: false,
            force,
            reason: force.then(|| "late bundle".to_owned()),
            on_conflict: None,
            staging_dir: staging.path().to_owned(),
            now: "2030-01-01T00:00:00.000Z".to_owned(),
            cancel: Cancel::default(),
            expected_site_id: None,
        };
        let input = Input {
            reader: Box::new(bundle),
            len: Some(bundle.len() as u64),
        };
        let store = self.store.as_mut();
        crate::import::import(store, input, &policy, &opts, &mut Quiet, &NoProgress)
            .unwrap_or_else(|e| panic!("import at {}: {e}", self.id))
    }

    /// Every live canonical and tombstone, by merge hash, as JSON lines
    /// (history included): what two converged sites hold byte for byte.
    pub fn rows(&self) -> std::collections::BTreeMap<String, String> {
        let mut rows = std::collections::BTreeMap::new();
        let mut visit = |row: ExportRow| {
            let (hash, text) = match row {
                ExportRow::Canonical(_, r) => (
                    r.canonical.merge_hash.clone(),
                    serde_json::to_string(&r).unwrap(),
                ),
                ExportRow::Deletion(_, d) => {
                    (d.merge_hash.clone(), serde_json::to_string(&d).unwrap())
                }
            };
            rows.insert(hash, text);
            Ok(())
        };
        self.store.export_rows(None, u64::MAX, &mut visit).unwrap();
        rows
    }

    /// Each merge hash's history.
    pub fn histories(&self) -> std::collections::BTreeMap<String, History> {
        let mut out = std::collections::BTreeMap::new();
        let mut visit = |row: ExportRow| {
            let (hash, history) = match row {
                ExportRow::Canonical(_, r) => (r.canonical.merge_hash, r.canonical.history),
                ExportRow::Deletion(_, d) => (d.merge_hash, d.history),
            };
            out.insert(hash, history.expect("every row made here has a history"));
            Ok(())
        };
        self.store.export_rows(None, u64::MAX, &mut visit).unwrap();
        out
    }
}
