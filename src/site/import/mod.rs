//! Importing a bundle into a site: the one entry point, [`import_bundle`],
//! shared by `feedser bundle import` and the HTTP API's
//! `POST /api/v1/federation/import`. Each step lives in one place:
//!
//! 1. `pipeline`: the home's writer lock, the store (after settling crashed
//!    imports), the quarantine tee of a stream (`trail`), cancellation
//!    (`super::signals`), a journaled staging directory (`staging`), the
//!    core import (`crate::import`), and the `--events-file`;
//! 2. the caller's `present` sees the result (the CLI prints its report);
//! 3. the after-import sequence: the site the import reached → one log
//!    line → the audit record (`trail`) → the metrics counts
//!    ([`ImportReport::count`], `super::monitor`).
//!
//! Invariants: the staging directory is removed and the journal row
//! settled before the entry point returns, whether the import succeeded
//! or not; every attempt that could be started leaves one audit record;
//! while the audit chain is broken, no attempt is started (exit 14).

pub mod batch;
mod pipeline;
mod report;
mod staging;
mod trail;

use std::path::PathBuf;
use std::time::Instant;

use crate::error::{Error, Result};
use crate::import::{Cancel, ImportError, ImportOutcome, Input};
use crate::metrics::Metrics;
use crate::model::ConflictStrategy;
use crate::progress::Progress;

use super::Site;
use super::monitor;
pub use report::{Failure, Response, open_input};
pub use staging::check_space;
use trail::Trail;

/// What the caller asks of one import: the one options type of the CLI's
/// flags and the HTTP API's query parameters.
#[derive(Clone, Debug, Default)]
pub struct ImportRequest {
    pub dry_run: bool,
    pub skip_signature: bool,
    pub force: bool,
    /// Why `force` is needed; kept in the ledger.
    pub reason: Option<String>,
    /// `None`: the site's policy, then `FederationImport.OnConflict`.
    pub on_conflict: Option<ConflictStrategy>,
    /// Also append the import's `canonical-imported` events to this NDJSON file.
    pub events_file: Option<PathBuf>,
    /// The site the sender authenticated as (HTTP); its bundles only.
    pub expected_site_id: Option<String>,
}

/// Where the bundle comes from.
pub enum Source {
    /// A file, or `-` for stdin (teed into the quarantine as it is read).
    Path(PathBuf),
    /// A stream that can be read once, such as an HTTP request body:
    /// `label` names it in the journal, quarantine and audit log, whose
    /// record carries `command`.
    Stream {
        command: &'static str,
        label: String,
        input: Input<'static>,
    },
}

/// Who waits for the import.
pub enum Caller {
    /// A person at a terminal: progress bars, SIGINT/SIGTERM handlers for
    /// this one import, the log line at debug level (the report says it all).
    Terminal { progress: Box<dyn Progress> },
    /// A server: cancellation from its own handlers, the log line at info.
    Server { cancel: Cancel },
}

/// How one import attempt ended.
pub struct ImportReport {
    pub result: Result<ImportOutcome>,
    /// From the start until the import itself ended.
    pub duration_ms: u128,
    /// The site the import reached (or its error names), if any.
    pub site_id: Option<String>,
    seconds: f64,
}

impl ImportReport {
    /// Counts this attempt into `metrics` (`monitor::import`).
    pub fn count(&self, metrics: &mut Metrics) {
        let site = self.site_id.as_deref();
        monitor::import(metrics, self.result.as_ref(), site, self.seconds);
    }
}

/// What the caller does with the import's own result before the audit
/// record is written; its error replaces the result.
pub type Present<'a> = dyn FnOnce(Result<&ImportOutcome, &ImportError>, u128) -> Result<()> + 'a;

/// Imports one bundle into `site`, then logs, audits and times it.
pub fn import_bundle(
    site: &Site,
    request: &ImportRequest,
    source: Source,
    caller: Caller,
    present: Box<Present<'_>>,
) -> ImportReport {
    let started = Instant::now();
    // A broken audit chain takes no record, so no import is tried (#27).
    if let Err(broken) = site.home.audit_log().verify() {
        return ImportReport {
            result: Err(broken.into()),
            duration_ms: 0,
            site_id: None,
            seconds: started.elapsed().as_secs_f64(),
        };
    }
    let level = match caller {
        Caller::Terminal { .. } => log::Level::Debug,
        Caller::Server { .. } => log::Level::Info,
    };
    let (mut trail, open): (Trail, Box<dyn FnOnce() -> Result<Input<'static>>>) = match source {
        Source::Path(path) => (Trail::new(&path), Box::new(move || open_input(&path))),
        Source::Stream {
            command,
            label,
            input,
        } => (Trail::stream(command, label), Box::new(move || Ok(input))),
    };
    let mut duration_ms = 0;
    let result = pipeline::run(site, &mut trail, open, request, caller).and_then(|finished| {
        duration_ms = started.elapsed().as_millis();
        match finished.result {
            Ok(outcome) => present(Ok(&outcome), duration_ms).map(|()| outcome),
            Err(error) => match finished.interrupted {
                Some(interrupted) => Err(interrupted),
                None => {
                    present(Err(&error), duration_ms)?;
                    Err(Error::Import(error))
                }
            },
        }
    });
    let site_id = trail.site_id().map(str::to_owned);
    monitor::log_import(level, &trail.label(), result.as_ref(), site_id.as_deref());
    let result = trail.audit(site, result);
    ImportReport {
        result,
        duration_ms,
        site_id,
        seconds: started.elapsed().as_secs_f64(),
    }
}
