//! Importing a bundle: admit, spool and verify, then apply in one transaction.
//!
//! Nothing reaches the store before the whole bundle has been read, every
//! member's sha256 checked against the signed manifest (members are spooled to
//! a private staging directory that is removed afterwards) and every row
//! parsed and checked once. The apply phase is
//! one store transaction — rows, tombstones, ledger row, events, merge bases —
//! committed only when everything succeeded and this is not a dry run.

mod admit;
mod apply;
mod error;
mod plan;
mod size;
mod validate;
mod wording;

use std::io::Read;
use std::path::PathBuf;

use serde::Serialize;

use crate::bundle::{self, Limits};
use crate::cursor::Cursor;
use crate::progress::{CountingReader, Progress, Unit};
use crate::store::{ImportCounts, Store};

pub use admit::{
    SignatureDecision, check_allowed, check_cursor, check_future_cursor, check_sender,
    decide_signature, registered_site,
};
pub use error::{BundleSize, ImportError, SizeLimit, Surface};
pub use plan::{Conflict, ConflictStrategy, Decision, decide};
pub use size::{check_config_size, check_site_size, human};
pub use validate::{Check, Request, ValidationReport, validate};

/// What the config says about imports, resolved once.
#[derive(Clone, Debug)]
pub struct ImportPolicy {
    pub local_site_id: String,
    pub allowed_sites: Vec<String>,
    pub max_bundle_size_bytes: u64,
    pub require_signature: bool,
    pub skip_signature_on_trusted_sites: bool,
    /// How far ahead of `ImportOptions::now` a bundle's cursor may be.
    pub max_clock_skew_seconds: u64,
    /// `FederationImport.MaxDecompressionRatio`.
    pub max_decompression_ratio: u64,
    /// `FederationImport.OnConflict`: the strategy when neither the request
    /// nor the site's policy names one.
    pub default_on_conflict: ConflictStrategy,
}

#[derive(Clone, Debug)]
pub struct ImportOptions {
    pub dry_run: bool,
    pub skip_signature: bool,
    pub force: bool,
    /// Why `force` was given; kept in the ledger.
    pub reason: Option<String>,
    /// The strategy asked for; `None` follows the site's policy, then
    /// `ImportPolicy::default_on_conflict`.
    pub on_conflict: Option<ConflictStrategy>,
    /// This import's own, empty staging directory (the caller creates and
    /// removes it, and journals it).
    pub staging_dir: PathBuf,
    /// `2025-01-15T10:30:00.000Z`: the ledger and event time.
    pub now: String,
    /// Set from outside (a signal) to stop before the commit.
    pub cancel: Cancel,
    /// The site the sender authenticated as (an HTTP peer's token or
    /// certificate): a bundle of any other site is refused once its
    /// signature is verified, before anything is applied. `None`: any site.
    pub expected_site_id: Option<String>,
}

/// A request to stop an import before it commits; checked between batches
/// and stages. Non-zero means stop.
#[derive(Clone, Debug, Default)]
pub struct Cancel(pub std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Cancel {
    pub fn requested(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst) != 0
    }

    pub fn check(&self) -> Result<(), ImportError> {
        if self.requested() {
            Err(ImportError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// The seed's import response (plus what we record).
#[derive(Clone, Debug, Serialize)]
pub struct ImportOutcome {
    pub success: bool,
    pub dry_run: bool,
    /// The bundle was imported before (same signed manifest): nothing done.
    pub already_imported: bool,
    pub site_id: String,
    pub bundle_hash: String,
    pub imported_cursor: Cursor,
    pub since_cursor: Option<Cursor>,
    pub counts: ImportCounts,
    pub conflicts: Vec<Conflict>,
    pub signer_key_id: Option<String>,
    pub signature_skipped: bool,
    pub forced: bool,
    /// Items the bundle carries (its manifest's total), for metrics; not
    /// part of the seed's document.
    #[serde(skip)]
    pub items: u64,
    /// The site's allowed sources, when they filtered out every canonical
    /// the bundle carries (#27): the caller says so, since an import that
    /// keeps nothing looks like one that had nothing new. The counts
    /// (`canonical_filtered`, `edges_filtered`) are in the document; this is
    /// not.
    #[serde(skip)]
    pub filtered_by: Option<Vec<String>>,
}

/// Where an import has got to; told to the caller's observer as it happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage<'a> {
    /// Signature, policy and cursor checks passed; about to stage members,
    /// which take `staging_bytes` (the manifest's member sizes).
    Admitted {
        site_id: &'a str,
        manifest_sha256: &'a str,
        staging_bytes: u64,
    },
    /// Every member is spooled and verified; nothing written yet.
    Staged { bundle_hash: &'a str },
    /// All changes are written in the open transaction; about to commit.
    Applying,
    /// The store committed.
    Committed,
}

/// The caller's hook: journaling, and fault injection in tests. An error
/// stops the import (before the commit, nothing is written).
pub trait Observer {
    fn stage(&mut self, stage: Stage<'_>) -> Result<(), ImportError>;
}

/// An observer that does nothing.
pub struct Quiet;

impl Observer for Quiet {
    fn stage(&mut self, _stage: Stage<'_>) -> Result<(), ImportError> {
        Ok(())
    }
}

/// A bundle source: the reader and, for files, the size known up front.
pub struct Input<'a> {
    pub reader: Box<dyn Read + 'a>,
    pub len: Option<u64>,
}

pub fn import(
    store: &mut dyn Store,
    input: Input<'_>,
    policy: &ImportPolicy,
    opts: &ImportOptions,
    observer: &mut dyn Observer,
    progress: &dyn Progress,
) -> Result<ImportOutcome, ImportError> {
    if let Some(len) = input.len {
        check_config_size(policy, len)?;
    }
    let limits = Limits {
        max_bundle_bytes: policy.max_bundle_size_bytes,
        max_ratio: policy.max_decompression_ratio,
        ..Limits::default()
    };
    progress.start("reading", Unit::Bytes, input.len);
    let reader = Box::new(CountingReader::new(input.reader, progress));
    let bundle = bundle::open(reader, &limits).map_err(|e| size::over_cap(e, policy))?;
    let site = registered_site(store, policy, &bundle.manifest().site_id)?;
    if let Some(len) = input.len {
        check_site_size(&site, len)?;
    }
    let decision = decide_signature(store, &site, &bundle, policy, opts.skip_signature)?;
    let signature_skipped = matches!(decision, SignatureDecision::Skip(_));
    let manifest_sha256 = bundle.manifest_sha256().to_owned();
    let verified = decision.apply(bundle, &site.site_id)?;
    check_sender(&site, opts.expected_site_id.as_deref())?;
    check_allowed(&site, policy)?;
    let replay = store.ledger_by_manifest(&site.site_id, &manifest_sha256)?;
    let mut forced = false;
    if replay.is_none()
        && let Err(refusal) = check_cursor(&site, verified.manifest())
            .and_then(|()| check_future_cursor(&site, verified.manifest(), policy, &opts.now))
    {
        if !opts.force {
            return Err(refusal);
        }
        forced = true;
    }
    observer.stage(Stage::Admitted {
        site_id: &site.site_id,
        manifest_sha256: &manifest_sha256,
        staging_bytes: size::staging_bytes(verified.manifest()),
    })?;
    let spooled = verified
        .spool(&opts.staging_dir)
        .map_err(|e| size::over_cap(e, policy))?;
    progress.finish();
    check_site_size(&site, spooled.compressed_size())?;
    // Rows are checked as the apply reads them, inside its transaction: a
    // bad row drops it, so nothing is written (one parse of each row, not two).
    observer.stage(Stage::Staged {
        bundle_hash: spooled.bundle_hash(),
    })?;
    opts.cancel.check()?;
    let strategy = opts
        .on_conflict
        .or_else(|| {
            site.on_conflict
                .as_deref()
                .and_then(ConflictStrategy::parse)
        })
        .unwrap_or(policy.default_on_conflict);
    let header = apply::Header {
        site: &site,
        local_site: &policy.local_site_id,
        strategy,
        forced,
        signature_skipped,
    };
    if let Some(entry) = replay {
        return Ok(apply::replayed(&header, &spooled, entry, opts));
    }
    apply::apply(store, &header, &spooled, opts, observer, progress)
        .map_err(|e| refused_by_store(e, &site.site_id, spooled.bundle_hash()))
}

/// A store error the data caused becomes a refusal of the bundle (#28):
/// retrying cannot help, so the chain needs the way out the message names.
fn refused_by_store(error: ImportError, site: &str, bundle_hash: &str) -> ImportError {
    match error {
        ImportError::Store(source) if source.caused_by_data() => ImportError::StoreRefused {
            site: site.to_owned(),
            bundle_hash: bundle_hash.to_owned(),
            source: Box::new(source),
        },
        other => other,
    }
}
