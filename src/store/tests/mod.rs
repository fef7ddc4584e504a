//! The store conformance suite: behaviour every `Store` must show, written
//! against `dyn Store` / `dyn Txn` only and run on both stores by
//! [`store_suite!`] (see `harness`). Backend-specific tests (schema,
//! pragmas, locks, NOTIFY, migrations) stay in `sqlite/tests` and
//! `postgres/tests`; they share the fixtures defined here.
//!
//! Fixtures are deterministic: record `n` always has the same merge hash,
//! CVE, purl and edge digests, so tests can compare whole records.

pub(crate) mod canonical;
mod export;
pub mod harness;
pub(crate) mod ledger;
mod sites;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::cursor::Cursor;
use crate::model::{
    Canonical, CanonicalRecord, Deletion, RangeEvent, Severity, SourceEdge, Status, VersionRange,
    canonical_id, edge_id,
};
use crate::store::{ImportCounts, LedgerEntry, NewSite, Store};
pub use harness::Harness;

/// A settable clock shared between a test and its store.
#[derive(Clone)]
pub struct TestClock(Arc<AtomicI64>);

impl TestClock {
    pub fn at(millis: i64) -> Self {
        Self(Arc::new(AtomicI64::new(millis)))
    }

    pub fn set(&self, millis: i64) {
        self.0.store(millis, Ordering::SeqCst);
    }

    pub fn boxed(&self) -> Box<dyn Fn() -> i64 + Send> {
        let inner = Arc::clone(&self.0);
        Box::new(move || inner.load(Ordering::SeqCst))
    }
}

pub fn merge_hash(n: u8) -> String {
    format!("sha256:{n:064x}")
}

/// Canonical number `n` with edges from the given (source, advisory id) pairs.
pub fn record(n: u8, edges: &[(&str, &str)]) -> CanonicalRecord {
    let merge_hash = merge_hash(n);
    let id = canonical_id(&merge_hash);
    let edges = edges
        .iter()
        .map(|(source, advisory)| SourceEdge {
            id: edge_id(&id, source, advisory),
            canonical_id: id,
            merge_hash: merge_hash.clone(),
            source: (*source).to_owned(),
            source_advisory_id: (*advisory).to_owned(),
            vendor_status: "affected".to_owned(),
            source_sha256: format!("sha256:{:064x}", u32::from(n) + 1000),
        })
        .collect();
    let canonical = Canonical {
        history: None,
        id,
        cve: format!("CVE-2024-{n:04}"),
        affects_key: format!("pkg:pypi/pkg{}", n % 3),
        merge_hash,
        status: Status::Active,
        severity: Severity::High,
        title: format!("title {n}"),
        summary: "a summary with \"quotes\" and ünïcode".to_owned(),
        cvss_vector: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".to_owned()),
        version_range: vec![VersionRange {
            range_type: "ECOSYSTEM".to_owned(),
            repo: None,
            events: vec![
                RangeEvent::Introduced("0".to_owned()),
                RangeEvent::Fixed("1.2.3".to_owned()),
            ],
        }],
        weaknesses: vec!["CWE-79".to_owned(), "CWE-89".to_owned()],
        patch_lineage: vec!["0123abcd".to_owned()],
        published: Some("2024-01-02T03:04:05Z".to_owned()),
        modified: None,
    };
    CanonicalRecord { canonical, edges }
}

pub fn deletion(n: u8, reason: &str) -> Deletion {
    Deletion {
        history: None,
        canonical_id: canonical_id(&merge_hash(n)),
        merge_hash: merge_hash(n),
        deleted_at: "2025-01-15T10:30:00.000Z".to_owned(),
        reason: reason.to_owned(),
    }
}

pub fn new_site(id: &str) -> NewSite {
    NewSite {
        site_id: id.to_owned(),
        display_name: format!("Site {id}"),
        enabled: true,
        created_at: "2025-01-01T00:00:00.000Z".to_owned(),
    }
}

/// The ledger row of bundle `bundle` from `site`, exported at `seq`.
pub fn entry(site: &str, bundle: &str, seq: u64, items: u64) -> LedgerEntry {
    LedgerEntry {
        advances: true,
        site_id: site.to_owned(),
        bundle_hash: bundle.to_owned(),
        manifest_sha256: format!("sha256:m-{bundle}"),
        since_cursor: (seq > 1).then(|| Cursor::new(1_000, seq - 1)),
        export_cursor: Cursor::new(2_000, seq),
        imported_at: format!("2025-02-0{seq}T00:00:00.000Z"),
        signer_key_id: Some("k1".to_owned()),
        signature_skipped: false,
        forced: seq == 2,
        counts: ImportCounts {
            canonical_created: 3,
            edges_added: 5,
            conflicts: seq,
            ..Default::default()
        },
        items,
        reason: None,
    }
}

/// Puts one record in its own committed transaction.
pub fn put(store: &mut dyn Store, record: &CanonicalRecord) -> Cursor {
    let mut txn = store.begin().unwrap();
    let cursor = txn.put(record).unwrap();
    txn.commit().unwrap();
    cursor
}

/// Deletes in its own committed transaction.
pub fn delete(store: &mut dyn Store, deletion: &Deletion) -> Option<Cursor> {
    let mut txn = store.begin().unwrap();
    let cursor = txn.delete(deletion).unwrap();
    txn.commit().unwrap();
    cursor
}
