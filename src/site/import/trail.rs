//! The trail an import leaves: a bundle refused by verification (exit 4
//! or 5) is kept in the quarantine, and every attempt appends one record
//! to the audit log.
//!
//! Invariant: neither the quarantine nor the audit log can change an
//! import's result: a failure to keep a refused bundle is logged, and a
//! failure to append the audit record is an error only when the import
//! itself succeeded.

use std::path::{Path, PathBuf};

use crate::audit::{NewRecord, Outcome};
use crate::error::Result;
use crate::exit::Exit;
use crate::import::{ImportError, ImportOutcome, Input, Observer, Stage};
use crate::quarantine::{Capture, Reached, Refusal, error_site, verification_log};
use crate::site::monitor::reason_code;
use crate::site::{Site, now};

/// The command name audit records of `bundle import` carry.
const COMMAND: &str = "feedser bundle import";

pub struct Trail {
    bundle: PathBuf,
    /// The audit record's `command`.
    command: &'static str,
    /// A stream other than stdin (an HTTP request body): its label.
    stream: Option<String>,
    /// The file's size, checked up front; `None` for stdin.
    size: Option<u64>,
    capture: Option<Capture>,
    reached: Reached,
    outcome: Option<Outcome>,
}

impl Trail {
    pub fn new(bundle: &Path) -> Trail {
        Trail {
            bundle: bundle.to_owned(),
            command: COMMAND,
            stream: None,
            size: None,
            capture: None,
            reached: Reached::default(),
            outcome: None,
        }
    }

    /// The trail of an import read from a stream that can be read only
    /// once, such as an HTTP request body: `label` names it in the journal,
    /// the quarantine's `source` and the audit record's `bundle`.
    pub fn stream(command: &'static str, label: String) -> Trail {
        Trail {
            command,
            stream: Some(label),
            ..Trail::new(Path::new("-"))
        }
    }

    fn is_stdin(&self) -> bool {
        self.bundle == Path::new("-")
    }

    /// How the journal, the quarantine and the audit log name the bundle.
    pub fn label(&self) -> String {
        match &self.stream {
            Some(label) => label.clone(),
            None => self.bundle.display().to_string(),
        }
    }

    /// Stdin and streams are teed into the quarantine, so a refused stream
    /// can be kept.
    pub fn input(&mut self, site: &Site, input: Input<'static>) -> Result<Input<'static>> {
        self.size = input.len;
        if !self.is_stdin() {
            return Ok(input);
        }
        let cap = site.config.federation_import.quarantine_max_bytes;
        let (reader, capture) = site.home.quarantine().tee(input.reader, cap)?;
        self.capture = Some(capture);
        Ok(Input {
            reader,
            len: input.len,
        })
    }

    /// The site the import reached (or its error names), if any.
    pub fn site_id(&self) -> Option<&str> {
        self.reached.site_id.as_deref()
    }

    /// Wraps the import's observer to note how far the import gets.
    pub fn observe<'a>(&'a mut self, inner: &'a mut dyn Observer) -> Recorder<'a> {
        Recorder {
            inner,
            reached: &mut self.reached,
        }
    }

    /// Notes the import's result; quarantines a bundle refused by verification.
    pub fn settle(&mut self, site: &Site, result: &Result<ImportOutcome, ImportError>) {
        let error = match result {
            Ok(o) => {
                self.reached.site_id = Some(o.site_id.clone());
                self.reached.bundle_hash = Some(o.bundle_hash.clone());
                self.outcome = Some(match (o.already_imported, o.dry_run) {
                    (true, _) => Outcome::AlreadyImported,
                    (false, true) => Outcome::DryRun,
                    (false, false) => Outcome::Committed,
                });
                return;
            }
            Err(error) => error,
        };
        if self.reached.site_id.is_none() {
            self.reached.site_id = error_site(error).map(str::to_owned);
        }
        if matches!(error.exit(), Exit::BundleInvalid | Exit::SignatureInvalid) {
            match self.quarantine(site, error) {
                Ok(id) => log::debug!("refused bundle kept in quarantine as `{id}`"),
                Err(e) => log::error!("the refused bundle could not be quarantined: {e}"),
            }
        }
    }

    fn quarantine(&mut self, site: &Site, error: &ImportError) -> Result<String> {
        let refusal = Refusal {
            reason_code: error.reason_code().to_owned(),
            message: error.to_string(),
            verification_log: verification_log(self.size, &self.reached, error),
            source: match (&self.stream, self.is_stdin()) {
                (Some(label), _) => label.clone(),
                (None, true) => "stdin".to_owned(),
                (None, false) => self.bundle.display().to_string(),
            },
            received_at: now(),
        };
        let quarantine = site.home.quarantine();
        let entry = match self.capture.take() {
            Some(capture) => quarantine.keep_capture(capture, refusal)?,
            None => {
                let cap = site.config.federation_import.quarantine_max_bytes;
                quarantine.keep_file(&self.bundle, cap, refusal)?
            }
        };
        Ok(entry.id)
    }

    /// Appends the attempt's audit record and returns the command's result.
    pub fn audit<T>(self, site: &Site, result: Result<T>) -> Result<T> {
        let bundle = self.label();
        drop(self.capture);
        let failure = result.as_ref().err();
        let record = NewRecord {
            time: now(),
            command: self.command.to_owned(),
            bundle,
            site_id: self.reached.site_id,
            bundle_hash: self.reached.bundle_hash,
            outcome: self.outcome.unwrap_or(Outcome::Rejected),
            reason_code: failure.map(|e| reason_code(e).to_owned()),
            message: failure.map(ToString::to_string),
        };
        match (site.home.audit_log().append(record), result) {
            (Ok(_), result) => result,
            (Err(audit), Ok(_)) => Err(audit.into()),
            (Err(audit), Err(e)) => {
                log::error!("the audit record could not be written: {audit}");
                Err(e)
            }
        }
    }
}

/// Forwards every stage to the import's own observer, noting it first.
pub struct Recorder<'a> {
    inner: &'a mut dyn Observer,
    reached: &'a mut Reached,
}

impl Observer for Recorder<'_> {
    fn stage(&mut self, stage: Stage<'_>) -> Result<(), ImportError> {
        match stage {
            Stage::Admitted { site_id, .. } => {
                self.reached.admitted = true;
                self.reached.site_id = Some(site_id.to_owned());
            }
            Stage::Staged { bundle_hash } => {
                self.reached.staged = true;
                self.reached.bundle_hash = Some(bundle_hash.to_owned());
            }
            Stage::Applying | Stage::Committed => {}
        }
        self.inner.stage(stage)
    }
}
