//! One import's run on the site: the home's writer lock, the store (after
//! settling crashed imports), a journaled staging directory, the import
//! itself, the trail (quarantine tee and refusal, see `trail`) and the
//! `--events-file`.
//!
//! Invariant: the staging directory is removed and the journal row settled
//! before [`run`] returns, whether the import succeeded or not.

use crate::error::{Error, Result};
use crate::import::{ImportError, ImportOptions, ImportOutcome, Input};
use crate::site::{Cancellable, Signals, Site, now};

use super::staging::{Journaled, Staging, append_events};
use super::trail::Trail;
use super::{Caller, ImportRequest};

/// How an import that could be started ended.
pub struct Finished {
    pub result: Result<ImportOutcome, ImportError>,
    /// Set when a signal stopped the import (the CLI's own handlers only).
    pub interrupted: Option<Error>,
}

/// Runs one import of the bundle `open` yields. The outer error is a
/// failure to start or settle it (lock, store, journal, staging, events
/// file); the import's own refusal is in [`Finished::result`].
pub fn run(
    site: &Site,
    trail: &mut Trail,
    open: impl FnOnce() -> Result<Input<'static>>,
    settings: &ImportRequest,
    caller: Caller,
) -> Result<Finished> {
    site.require_federation()?;
    let _lock = site.writer()?;
    let mut store = site.open_store()?;
    let last_event = match &settings.events_file {
        Some(_) => store
            .events(0, usize::MAX)?
            .last()
            .map_or(0, |e| e.event_id),
        None => 0,
    };
    // Bars are for a person at a terminal; the server has none.
    let (progress, signals, cancel) = match caller {
        Caller::Terminal { progress } => {
            let signals = Signals::install()?;
            let cancel = signals.cancel();
            (progress, Some(signals), cancel)
        }
        Caller::Server { cancel } => {
            let none: Box<dyn crate::progress::Progress> = Box::new(crate::progress::NoProgress);
            (none, None, cancel)
        }
    };
    let mut input = trail.input(site, open()?)?;
    input.reader = Box::new(Cancellable {
        inner: input.reader,
        cancel: cancel.clone(),
    });
    let journal = site.journal()?;
    let staging = Staging::create(site, &journal, &trail.label())?;
    let opts = ImportOptions {
        dry_run: settings.dry_run,
        skip_signature: settings.skip_signature,
        force: settings.force,
        reason: settings.reason.clone(),
        on_conflict: settings.on_conflict,
        staging_dir: staging.dir.clone(),
        now: now(),
        cancel,
        sender: settings.sender.clone(),
    };
    let mut observer = Journaled {
        journal: &journal,
        id: &staging.id,
        pause_file: site
            .home
            .staging_dir()
            .join(format!("{}.paused", staging.id)),
        dir: &staging.dir,
    };
    let result = crate::import::import(
        store.as_mut(),
        input,
        &site.import_policy(),
        &opts,
        &mut trail.observe(&mut observer),
        progress.as_ref(),
    );
    drop(progress);
    trail.settle(site, &result);
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
