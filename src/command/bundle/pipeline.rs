//! The import pipeline shared by `feedser bundle import` and the HTTP API's
//! `POST /api/v1/federation/import`: the home's writer lock, the store (after
//! settling crashed imports), a journaled staging directory, the import
//! itself, the trail (quarantine and audit record, see `trail`) and the
//! `--events-file`. Both callers go through [`run`], so the journal, ledger,
//! audit log and quarantine behave identically whatever the bundle came from.
//!
//! Invariant: the staging directory is removed and the journal row settled
//! before [`run`] returns, whether the import succeeded or not.

use std::path::PathBuf;

use serde::Serialize;

use crate::cli::context::{Context, now};
use crate::error::{Error, Result};
use crate::import::{Cancel, ConflictStrategy, ImportError, ImportOptions, ImportOutcome, Input};

use super::staging::{ABORT_AT, Journaled, PAUSE_AT, Staging, append_events};
use super::trail::Trail;

/// What the caller asks of one import.
#[derive(Clone, Debug)]
pub struct Settings {
    pub dry_run: bool,
    pub skip_signature: bool,
    pub force: bool,
    pub reason: Option<String>,
    pub on_conflict: Option<ConflictStrategy>,
    /// Also append the import's `canonical-imported` events to this NDJSON file.
    pub events_file: Option<PathBuf>,
}

/// How an import that could be started ended.
pub struct Finished {
    pub result: Result<ImportOutcome, ImportError>,
    /// Set when a signal stopped the import (the CLI's own handlers only).
    pub interrupted: Option<Error>,
}

/// Where cancellation comes from: the CLI installs SIGINT/SIGTERM handlers
/// for this one import; the server passes the flag its own handlers set.
pub enum Cancelling {
    InstallSignals,
    Given(Cancel),
}

/// The seed's response, with `duration_ms`.
#[derive(Serialize)]
pub struct Response<'a> {
    #[serde(flatten)]
    pub outcome: &'a ImportOutcome,
    pub duration_ms: u128,
}

/// The seed's failure document.
#[derive(Serialize)]
pub struct Failure<'a> {
    pub success: bool,
    pub reason: &'static str,
    pub error: String,
    pub conflicts: &'a [crate::import::Conflict],
    pub duration_ms: u128,
}

impl<'a> Failure<'a> {
    pub fn new(error: &'a ImportError, duration_ms: u128) -> Failure<'a> {
        let conflicts = match error {
            ImportError::Conflicts { conflicts } => conflicts.as_slice(),
            _ => &[],
        };
        Failure {
            success: false,
            reason: error.reason_code(),
            error: error.to_string(),
            conflicts,
            duration_ms,
        }
    }
}

/// Runs one import of the bundle `open` yields. The outer error is a
/// failure to start or settle it (lock, store, journal, staging, events
/// file); the import's own refusal is in [`Finished::result`].
pub fn run(
    ctx: &Context,
    trail: &mut Trail,
    open: impl FnOnce() -> Result<Input<'static>>,
    settings: &Settings,
    cancelling: Cancelling,
) -> Result<Finished> {
    let _lock = ctx.writer()?;
    let mut store = ctx.open_store()?;
    let last_event = match &settings.events_file {
        Some(_) => store
            .events(0, usize::MAX)?
            .last()
            .map_or(0, |e| e.event_id),
        None => 0,
    };
    // Bars are for a person at the CLI's terminal; the server has none.
    let progress: Box<dyn crate::progress::Progress> = match cancelling {
        Cancelling::InstallSignals => ctx.progress(),
        Cancelling::Given(_) => Box::new(crate::progress::NoProgress),
    };
    let (signals, cancel) = match cancelling {
        Cancelling::InstallSignals => {
            let signals = super::Signals::install()?;
            let cancel = signals.cancel();
            (Some(signals), cancel)
        }
        Cancelling::Given(cancel) => (None, cancel),
    };
    let mut input = trail.input(ctx, open()?)?;
    input.reader = Box::new(super::Cancellable {
        inner: input.reader,
        cancel: cancel.clone(),
    });
    let journal = ctx.journal()?;
    let staging = Staging::create(ctx, &journal, &trail.label())?;
    let opts = ImportOptions {
        dry_run: settings.dry_run,
        skip_signature: settings.skip_signature,
        force: settings.force,
        reason: settings.reason.clone(),
        on_conflict: settings.on_conflict,
        staging_dir: staging.dir.clone(),
        now: now(),
        cancel,
    };
    let mut observer = Journaled {
        journal: &journal,
        id: &staging.id,
        abort_at: std::env::var(ABORT_AT).ok(),
        pause_at: std::env::var(PAUSE_AT).ok(),
        pause_file: ctx
            .home
            .staging_dir()
            .join(format!("{}.paused", staging.id)),
    };
    let result = crate::import::import(
        store.as_mut(),
        input,
        &ctx.import_policy(),
        &opts,
        &mut trail.observe(&mut observer),
        progress.as_ref(),
    );
    drop(progress);
    trail.settle(ctx, &result);
    staging.finish(&journal, &result)?;
    let interrupted = signals.and_then(|s| s.interrupted());
    if let (Ok(_), Some(path), false) = (&result, &settings.events_file, settings.dry_run) {
        append_events(store.as_ref(), last_event, path)?;
    }
    Ok(Finished {
        result,
        interrupted,
    })
}
