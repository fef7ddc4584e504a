//! What imports and exports tell monitoring: the `--metrics-file`
//! node_exporter textfile (see `crate::metrics`) and the structured log
//! lines (`site_id`, `bundle_hash`, `cursor`) `--log-format json` renders.
//!
//! Counting rules, shared by the CLI and the HTTP server: a committed
//! import counts its bundle and the manifest's items; a replayed bundle is
//! a success that moves nothing; a dry run counts only its duration; any
//! error counts once under its reason code.

use std::path::Path;

use crate::error::{Error, Result};
use crate::import::ImportOutcome;
use crate::metrics::{Metrics, Operation};
use crate::site::now_millis;

/// Counts one import attempt; `site` is the site it reached, if any.
pub fn import(
    metrics: &mut Metrics,
    result: Result<&ImportOutcome, &Error>,
    site: Option<&str>,
    seconds: f64,
) {
    metrics.duration(Operation::Import, seconds);
    match result {
        Ok(o) if o.dry_run => {}
        Ok(o) if o.already_imported => {
            metrics.success(Operation::Import, &o.site_id, 0, 0, now_millis());
        }
        Ok(o) => {
            metrics.success(Operation::Import, &o.site_id, 1, o.items, now_millis());
            let c = &o.counts;
            for (outcome, n) in [
                (
                    "applied",
                    c.canonical_created + c.canonical_updated + c.deletions_processed,
                ),
                ("stale", c.stale),
                ("echo", c.echo),
                ("conflict", c.conflicts),
                ("refused", c.deletions_refused),
            ] {
                metrics.import_rows(&o.site_id, outcome, n);
            }
        }
        Err(e) => metrics.failure(Operation::Import, site, reason_code(e)),
    }
}

/// Counts one export run of `bundles` bundles holding `items` items.
pub fn export(
    metrics: &mut Metrics,
    result: Result<(u64, u64), &Error>,
    site: Option<&str>,
    seconds: f64,
) {
    metrics.duration(Operation::Export, seconds);
    match result {
        Ok((bundles, items)) => {
            let site = site.unwrap_or("");
            metrics.success(Operation::Export, site, bundles, items, now_millis());
        }
        Err(e) => metrics.failure(Operation::Export, site, reason_code(e)),
    }
}

/// Adds the run's counts to the textfile's totals. A textfile that does
/// not parse is not this run's failure: one warning, and counting starts
/// again from zero.
pub fn write_file(path: &Path, metrics: Metrics) -> Result<()> {
    let malformed = crate::metrics::update_textfile(path, metrics)
        .map_err(Error::io("cannot write the metrics file", path))?;
    if let Some(m) = malformed {
        log::warn!(
            "the metrics file `{}` was not written by stella ({m}): its counters start again from zero",
            path.display()
        );
    }
    Ok(())
}

/// Writes the metrics file of a command that ended with `result`: a
/// failure to write it fails a successful command, and is only logged
/// when the command failed anyway.
pub fn finish<T>(path: Option<&Path>, metrics: Metrics, result: Result<T>) -> Result<T> {
    let Some(path) = path else { return result };
    match (write_file(path, metrics), result) {
        (Ok(()), result) => result,
        (Err(e), Ok(_)) => Err(e),
        (Err(e), Err(original)) => {
            log::error!("{e}");
            Err(original)
        }
    }
}

/// The structured log line of one import attempt, at `level`: `Debug` for
/// the CLI (its report already says it all, and the default config logs
/// `Information`), `Info` for the server.
pub fn log_import(
    level: log::Level,
    label: &str,
    result: Result<&ImportOutcome, &Error>,
    site: Option<&str>,
) {
    match result {
        Ok(o) => {
            let what = if o.already_imported {
                "already imported"
            } else if o.dry_run {
                "dry run"
            } else {
                "imported"
            };
            log::log!(
                level,
                site_id = o.site_id.as_str(),
                bundle_hash = o.bundle_hash.as_str(),
                imported_cursor:% = o.imported_cursor;
                "bundle `{label}`: {what}"
            );
        }
        Err(e) => log::log!(
            level,
            site_id = site.unwrap_or("-"),
            reason = reason_code(e);
            "bundle `{label}` refused: {e}"
        ),
    }
}

/// A stable code for any error an import attempt ends with.
pub fn reason_code(error: &Error) -> &'static str {
    match error {
        Error::Import(e) => e.reason_code(),
        Error::Export(e) => e.reason_code(),
        Error::Bundle(e) => e.reason_code(),
        Error::Usage(_) | Error::Cursor(_) => "usage",
        Error::Config(_) | Error::NotInitialized { .. } => "config",
        Error::Store(_) => "store_error",
        Error::Io { .. } => "io_error",
        Error::Quarantine(_) => "quarantine_error",
        Error::Audit(_) => "audit_error",
        // A pulled part the import refused as another site's.
        Error::Sync(crate::sync::SyncError::OtherSite { .. }) => "other_site",
        _ => "failure",
    }
}
