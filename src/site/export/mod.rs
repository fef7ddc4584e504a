//! Exporting a site as bundles: the one entry point of `feedser bundle
//! export`, [`export_bundle`]. The delta since a cursor (or everything) is
//! planned (`crate::export::plan`), cut into a chain when it is over the
//! item limit (and, with `max_bytes`, measured and cut until no bundle is
//! over that size: `crate::export::fit`), signed (`super::signer`), and
//! written to files (`output`: whole or not at all, cleaned up on a signal
//! by `super::interrupts`) or to the caller's stdout; with `for_site`,
//! what was sent is recorded under the writer lock.
//!
//! Invariants: every target is checked before anything is written; a
//! chain never goes to stdout; the store records what was sent only after
//! every bundle was written.

pub mod output;
mod targets;

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::bundle::{WriteOptions, Written};
use crate::cursor::Cursor;
use crate::error::Result;
use crate::export::{ExportError, Exporter};
use crate::progress::Progress;

use super::Site;
use super::interrupts::{Interrupts, OnSignal};

/// What the caller asks of one export.
#[derive(Clone, Debug, Default)]
pub struct ExportRequest {
    /// Only changes after this cursor; `None` with `for_site`: after what
    /// was last sent to it; else everything.
    pub since: Option<Cursor>,
    /// Leave out versions that came from this peer, and remember what was sent.
    pub for_site: Option<String>,
    /// A file, `-` for the caller's stdout, or `None`: `<site>-<cursor>.tar.zst`.
    pub output: Option<PathBuf>,
    pub max_items: Option<u64>,
    /// No bundle file over this many bytes: the chain is cut further.
    pub max_bytes: Option<u64>,
    pub compression_level: Option<i32>,
    /// `None`: an unsigned bundle.
    pub signing: Option<Signing>,
    pub threads: Option<u32>,
    /// Replace output files that already exist.
    pub force: bool,
}

/// Which key signs: the one named, else the home's only federation key.
#[derive(Clone, Debug, Default)]
pub struct Signing {
    pub key: Option<String>,
    pub passphrase_file: Option<PathBuf>,
}

#[derive(Serialize)]
pub struct ExportReport {
    pub bundles: Vec<BundleReport>,
    pub since_cursor: Option<Cursor>,
    pub export_cursor: Option<Cursor>,
}

#[derive(Serialize)]
pub struct BundleReport {
    pub path: String,
    pub bundle_hash: String,
    pub size: u64,
    pub since_cursor: Option<Cursor>,
    pub export_cursor: Cursor,
    pub counts: crate::bundle::Counts,
    pub signer_key_id: Option<String>,
}

impl ExportReport {
    /// How many bundles, and the items they hold (for the metrics).
    pub fn moved(&self) -> (u64, u64) {
        let items = self.bundles.iter().map(|b| b.counts.total).sum();
        (self.bundles.len() as u64, items)
    }
}

impl ExportRequest {
    /// Whether the bundle goes to the caller's stdout.
    pub fn to_stdout(&self) -> bool {
        self.output.as_deref() == Some(Path::new("-"))
    }
}

/// Writes the bundles `request` asks for; `stdout` takes a bundle sent to
/// `-`; `on_signal` ends the process after a signal removed partial files.
pub fn export_bundle(
    site: &Site,
    request: &ExportRequest,
    progress: &dyn Progress,
    stdout: &mut dyn Write,
    on_signal: OnSignal,
) -> Result<ExportReport> {
    site.require_federation()?;
    let site_id = site.site_id()?;
    let store = site.open_store()?;
    let max_items = request
        .max_items
        .unwrap_or(site.config.federation.default_max_items);
    let since = targets::since(request, store.as_ref())?;
    let skip_via = request.for_site.as_deref();
    let parts = crate::export::plan(store.as_ref(), since, max_items, skip_via)?;
    if request.to_stdout() && parts.len() > 1 {
        let parts = parts.len();
        let (flag, limit) = ("--max-items", max_items);
        return Err(ExportError::ChainToStdout { parts, flag, limit }.into());
    }
    let signer = match &request.signing {
        None => None,
        Some(s) => Some(super::signer::signer(
            site,
            s.key.as_deref(),
            s.passphrase_file.as_deref(),
        )?),
    };
    // A private spool under a lock (so `journal gc` tells a live export
    // from a killed one), removed with the temporary output on a signal.
    let mut scratch = super::scratch(&site.home.spool_dir())?;
    let interrupts = Interrupts::install(scratch.paths(), on_signal)?;
    let spool_dir = scratch.dir().to_owned();
    let exporter = Exporter {
        store: store.as_ref(),
        site_id,
        skip_via,
        signer: signer.as_ref(),
        options: WriteOptions {
            level: request
                .compression_level
                .unwrap_or(site.config.federation.default_compression_level),
            threads: request
                .threads
                .unwrap_or_else(crate::bundle::worker_threads),
            ..WriteOptions::default()
        },
        spool_dir: &spool_dir,
        progress,
    };
    let parts = match request.max_bytes {
        Some(max_bytes) => fit_bytes(&exporter, parts, max_bytes, request.to_stdout())?,
        None => parts,
    };
    let (paths, stale) = targets::paths(request, site_id, &parts)?;
    let mut bundles = Vec::new();
    for (part, path) in parts.iter().zip(paths) {
        let written = match &path {
            None => exporter.write(part, stdout)?,
            Some(path) => {
                let tracking = output::Tracking {
                    interrupts: &interrupts,
                    scratch: &mut scratch,
                };
                output::write_atomically(path, tracking, |out| exporter.write(part, out))?
            }
        };
        let key_id = signer.as_ref().map(|s| s.key_id.clone());
        bundles.push(report(path.as_deref(), &written, key_id));
    }
    targets::remove_stale(&stale)?;
    let export_cursor = parts.last().map(|p| p.upto).or(since);
    drop(store);
    targets::record_sent(site, request, parts.last().map(|p| p.upto))?;
    for b in &bundles {
        log::debug!(
            site_id = site_id,
            bundle_hash = b.bundle_hash.as_str(),
            export_cursor:% = b.export_cursor;
            "wrote bundle `{}`", b.path
        );
    }
    drop(interrupts);
    super::hooks::pause_export_done(&site.home.spool_dir());
    Ok(ExportReport {
        bundles,
        since_cursor: since,
        export_cursor,
    })
}

/// `parts` cut until no bundle is over `max_bytes` (`crate::export::fit`),
/// each measured by writing it to nowhere; nothing is written yet.
fn fit_bytes(
    exporter: &Exporter<'_>,
    parts: Vec<crate::export::Part>,
    max_bytes: u64,
    to_stdout: bool,
) -> Result<Vec<crate::export::Part>> {
    let Some(first) = parts.first() else {
        return Ok(parts);
    };
    let since = first.since.map(|c| c.seq());
    let sizes = exporter.store.export_sizes_for(since, exporter.skip_via)?;
    let mut measure = |part: &crate::export::Part| {
        let written = exporter.write(part, &mut std::io::sink())?;
        Ok(written.bytes)
    };
    let parts = crate::export::fit(parts, &sizes, max_bytes, &mut measure)?;
    if to_stdout && parts.len() > 1 {
        let (flag, limit) = ("--max-bytes", max_bytes);
        let parts = parts.len();
        return Err(ExportError::ChainToStdout { parts, flag, limit }.into());
    }
    Ok(parts)
}

fn report(path: Option<&Path>, written: &Written, signer_key_id: Option<String>) -> BundleReport {
    let m = &written.manifest;
    BundleReport {
        path: path.map_or_else(|| "-".to_owned(), |p| p.display().to_string()),
        bundle_hash: written.bundle_hash.clone(),
        size: written.bytes,
        since_cursor: m.since_cursor,
        export_cursor: m.export_cursor,
        counts: m.counts,
        signer_key_id,
    }
}
