//! `validate`: every check `import` makes, reported together, nothing written.
//!
//! Unlike `import`, validation goes on after a failed check where it can, so
//! the report says everything that is wrong at once. A signature that fails
//! still lets the rest of the bundle be read — only to check it, never to
//! apply it: validate never holds a verified bundle, and a checked one has
//! no rows to apply.

use serde::Serialize;

use crate::bundle::{self, Counts, Limits};
use crate::cursor::Cursor;
use crate::exit::Exit;
use crate::store::Store;

mod admission;

use super::size;
use super::{ImportError, ImportPolicy, Input};
use admission::admission;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "snake_case")]
pub enum Check {
    Valid(String),
    Invalid(String),
    /// Not checked, as policy allows (an unsigned bundle where signatures
    /// are optional): not a failure.
    Skipped(String),
    NotChecked(String),
}

#[derive(Clone, Debug, Serialize)]
pub struct ValidationReport {
    #[serde(rename = "path")]
    pub bundle: String,
    pub bundle_hash: Option<String>,
    pub version: Option<String>,
    pub site_id: Option<String>,
    pub since_cursor: Option<Cursor>,
    pub export_cursor: Option<Cursor>,
    pub counts: Option<Counts>,
    pub hash: Check,
    pub signature: Check,
    pub format: Check,
    /// Why the bundle would not import, in check order; empty when ready.
    pub problems: Vec<String>,
    /// Set when the bundle was imported before: importing it again is a no-op.
    pub already_imported_at: Option<String>,
    #[serde(rename = "success")]
    pub ready: bool,
    #[serde(skip)]
    pub exit: Exit,
}

impl ValidationReport {
    fn refuse(&mut self, error: &ImportError) {
        if self.problems.is_empty() {
            self.exit = error.exit();
        }
        self.problems.push(error.to_string());
    }
}

/// What `validate` is asked: the name to report, the time for the cursor
/// checks, and where it may spool the members while it reads their rows.
pub struct Request<'a> {
    pub label: String,
    pub now: &'a str,
    pub staging: &'a std::path::Path,
    /// Told the bytes read (of the file's length, when known).
    pub progress: &'a dyn crate::progress::Progress,
    /// Checks the cursor as if the site's last imported cursor were this:
    /// a later part of a chain whose earlier parts are not imported yet.
    pub after: Option<Cursor>,
}

pub fn validate(
    store: &dyn Store,
    input: Input<'_>,
    policy: &ImportPolicy,
    request: Request<'_>,
) -> ValidationReport {
    let Request {
        label,
        now,
        staging,
        progress,
        after,
    } = request;
    let pending = || Check::NotChecked("not reached".into());
    let mut report = ValidationReport {
        bundle: label,
        bundle_hash: None,
        version: None,
        site_id: None,
        since_cursor: None,
        export_cursor: None,
        counts: None,
        hash: pending(),
        signature: pending(),
        format: pending(),
        problems: Vec::new(),
        already_imported_at: None,
        ready: false,
        exit: Exit::Success,
    };
    if let Some(len) = input.len
        && let Err(e) = size::check_config_size(policy, len)
    {
        report.refuse(&e);
    }
    let limits = Limits {
        max_bundle_bytes: policy.max_bundle_size_bytes.max(input.len.unwrap_or(0)),
        max_ratio: policy.max_decompression_ratio,
        ..Limits::default()
    };
    progress.start("reading", crate::progress::Unit::Bytes, input.len);
    let reader = Box::new(crate::progress::CountingReader::new(input.reader, progress));
    let bundle = match bundle::open(reader, &limits) {
        Ok(bundle) => bundle,
        Err(e) => {
            let (check, error) = read_failure(e, policy);
            report.format = check;
            report.refuse(&error);
            return report;
        }
    };
    let manifest = bundle.manifest().clone();
    report.version = Some(manifest.version.clone());
    report.site_id = Some(manifest.site_id.clone());
    report.since_cursor = manifest.since_cursor;
    report.export_cursor = Some(manifest.export_cursor);
    report.counts = Some(manifest.counts);
    let admitted = admission(store, policy, &bundle, &mut report, (input.len, now, after));
    // Rows are checked too (as they are decoded, with a private scratch
    // directory removed after), so validate refuses every bundle import would.
    let checked = tempfile::Builder::new()
        .prefix("validate-")
        .tempdir_in(staging)
        .map_err(|source| bundle::BundleError::Spool {
            path: staging.to_path_buf(),
            source,
        })
        .and_then(|scratch| bundle.check(scratch.path()));
    progress.finish();
    match checked {
        Ok(spooled) => {
            report.bundle_hash = Some(spooled.bundle_hash().to_owned());
            report.hash = Check::Valid("every member matches the manifest".into());
            report.format = Check::Valid(manifest.version.clone());
            admitted.after_reading(&spooled, input.len, &mut report);
        }
        Err(e) => {
            let hash_problem =
                e.reason_code().contains("sha256") || e.reason_code().contains("digest");
            let (check, error) = read_failure(e, policy);
            if hash_problem {
                report.hash = check;
                report.format = Check::Valid(manifest.version.clone());
            } else {
                report.format = check;
            }
            report.refuse(&error);
        }
    }
    report.ready = report.problems.is_empty();
    report
}

/// A failed read as a refusal, and what it says of the format: a stream
/// cut at the size cap says nothing of it (it is only too large).
fn read_failure(e: bundle::BundleError, policy: &ImportPolicy) -> (Check, ImportError) {
    match size::over_cap(e, policy) {
        ImportError::Bundle(e) => (verdict(&e), ImportError::Bundle(e)),
        other => (Check::NotChecked(other.to_string()), other),
    }
}

/// What a failed read says of the bundle's format: nothing, when the
/// failure was on this side (an unreadable input, a full scratch disk).
fn verdict(e: &bundle::BundleError) -> Check {
    match e.is_local() {
        true => Check::NotChecked(e.to_string()),
        false => Check::Invalid(e.to_string()),
    }
}
