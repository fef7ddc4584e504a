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

use super::admit::{self, SignatureDecision};
use super::{ImportError, ImportPolicy, Input};

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
        && let Err(e) = admit::check_size(None, policy, len)
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
            report.format = verdict(&e);
            report.refuse(&ImportError::Bundle(e));
            return report;
        }
    };
    let manifest = bundle.manifest().clone();
    report.version = Some(manifest.version.clone());
    report.site_id = Some(manifest.site_id.clone());
    report.since_cursor = manifest.since_cursor;
    report.export_cursor = Some(manifest.export_cursor);
    report.counts = Some(manifest.counts);
    admission(store, policy, &bundle, &mut report, (input.len, now));
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
        }
        Err(e) => {
            let hash_problem =
                e.reason_code().contains("sha256") || e.reason_code().contains("digest");
            let check = verdict(&e);
            if hash_problem {
                report.hash = check;
                report.format = Check::Valid(manifest.version.clone());
            } else {
                report.format = check;
            }
            report.refuse(&ImportError::Bundle(e));
        }
    }
    report.ready = report.problems.is_empty();
    report
}

/// What a failed read says of the bundle's format: nothing, when the
/// failure was on this side (an unreadable input, a full scratch disk).
fn verdict(e: &bundle::BundleError) -> Check {
    match e.is_local() {
        true => Check::NotChecked(e.to_string()),
        false => Check::Invalid(e.to_string()),
    }
}

/// Site, size, signature, policy and cursor checks; those after the
/// signature only when the signature question was settled.
fn admission(
    store: &dyn Store,
    policy: &ImportPolicy,
    bundle: &bundle::UnverifiedBundle,
    report: &mut ValidationReport,
    (len, now): (Option<u64>, &str),
) {
    let manifest = bundle.manifest();
    let site = match admit::registered_site(store, policy, &manifest.site_id) {
        Ok(site) => site,
        Err(e) => {
            report.signature = Check::NotChecked(e.to_string());
            report.refuse(&e);
            return;
        }
    };
    if let Some(len) = len
        && let Err(e) = admit::check_size(Some(&site), policy, len)
    {
        report.refuse(&e);
    }
    let settled = admit::decide_signature(store, &site, bundle, policy, false)
        .and_then(|d| signature_verdict(d, bundle, &site.site_id));
    report.signature = match settled {
        Ok(check) => check,
        Err(e) => {
            report.signature = Check::Invalid(e.to_string());
            report.refuse(&e);
            return;
        }
    };
    if let Err(e) = admit::check_allowed(&site, policy) {
        report.refuse(&e);
    }
    match store.ledger_by_manifest(&site.site_id, bundle.manifest_sha256()) {
        Ok(Some(entry)) => report.already_imported_at = Some(entry.imported_at),
        Ok(None) => {
            let checks = admit::check_cursor(&site, manifest)
                .and_then(|()| admit::check_future_cursor(&site, manifest, policy, now));
            if let Err(e) = checks {
                report.refuse(&e);
            }
        }
        Err(e) => report.refuse(&ImportError::Store(e)),
    }
}

/// What the report says of a settled signature question, after checking
/// the signature (the bundle stays unverified: validate only reads it).
fn signature_verdict(
    decision: SignatureDecision,
    bundle: &bundle::UnverifiedBundle,
    site_id: &str,
) -> Result<Check, ImportError> {
    match decision {
        SignatureDecision::Verify(keys) => {
            let checked = bundle.check_signature(&keys);
            checked.map_err(|source| ImportError::Signature {
                site: site_id.to_owned(),
                source,
            })?;
            let ids = bundle.signer_key_ids().join(", ");
            Ok(Check::Valid(format!("key: {ids}")))
        }
        SignatureDecision::Skip(_) => Ok(Check::Skipped(
            "unsigned; this site does not require signatures".into(),
        )),
    }
}
