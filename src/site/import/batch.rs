//! Several bundles in one import (#27): `bundle import a b c`, a shell
//! glob such as `stick/*.tar.zst`, an inbox directory, or the stable name
//! of a chain (`crate::export::chain`).
//!
//! [`resolve`] turns the arguments into files: a directory stands for
//! every `*.zst` file in it, a name that does not exist for its chain's
//! parts. [`check_all`] puts them in cursor order (by the export cursor
//! their manifests name, read without reading the rows) and validates
//! every one, each as if those before it in the batch were imported, so
//! a gap or a stale part is found as well as a bad signature or hash.
//!
//! Invariant: nothing is imported unless every part validated; the caller
//! then imports them in the returned order, one `import_bundle` each
//! (journal, ledger and audit as for one bundle), stopping at the first
//! failure. A part imported before validates and imports as a no-op.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::bundle::{self, Limits};
use crate::cursor::Cursor;
use crate::error::{Error, Result};
use crate::import::{Check, ValidationReport};
use crate::progress::Progress;

use super::super::Site;
use super::open_input;

/// The files `args` stand for, in the order given: a directory's `*.zst`
/// files sorted by name, a missing name's chain parts, else the path.
pub fn resolve(args: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for arg in args {
        if arg.is_dir() {
            files.extend(inbox(arg)?);
            continue;
        }
        let parts = match arg.exists() || arg == Path::new("-") {
            true => Vec::new(),
            false => crate::export::chain::parts_on_disk(arg),
        };
        match parts.is_empty() {
            true => files.push(arg.clone()),
            false => files.extend(parts),
        }
    }
    Ok(files)
}

/// Every regular `*.zst` file of `dir` (`*.tar.zst` included), by name.
fn inbox(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(Error::io("cannot read directory", dir))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(Error::io("cannot read directory", dir))?
            .path();
        let bundle = path.extension().is_some_and(|e| e == "zst");
        if bundle && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// What [`check_all`] found: the parts to import, in cursor order, and
/// those it leaves out as covered.
pub struct Checked {
    pub ordered: Vec<PathBuf>,
    /// Parts that end at or before what the site holds from their site
    /// and are not the very bundles imported (a longer chain's early parts
    /// after the data moved on): importing them would change nothing.
    pub covered: Vec<PathBuf>,
}

/// `files` in cursor order, once every one validated; otherwise the
/// first part that would not import, by name, with its first reason and
/// its exit code: nothing was imported.
pub fn check_all(site: &Site, files: &[PathBuf], progress: &dyn Progress) -> Result<Checked> {
    site.require_federation()?;
    if files.iter().any(|f| f == Path::new("-")) {
        return Err(Error::Usage(
            "`-` (stdin) cannot be imported with other bundles: import it on its own".into(),
        ));
    }
    let store = site.open_store()?;
    let policy = site.import_policy();
    let scratch = crate::site::scratch(&site.home.staging_dir())?;
    let now = crate::site::now();
    let mut last: BTreeMap<String, Option<Cursor>> = BTreeMap::new();
    let mut checked = Checked {
        ordered: Vec::new(),
        covered: Vec::new(),
    };
    for (path, site_id) in in_cursor_order(site, files) {
        let current = match &site_id {
            Some(s) if !last.contains_key(s) => {
                let held = store.site(s)?.and_then(|x| x.last_cursor);
                *last.entry(s.clone()).or_insert(held)
            }
            Some(s) => last[s],
            None => None,
        };
        let request = crate::import::Request {
            label: path.display().to_string(),
            now: &now,
            staging: scratch.dir(),
            progress,
            after: current,
        };
        let report = crate::import::validate(store.as_ref(), open_input(&path)?, &policy, request);
        if covered(&report, current) {
            checked.covered.push(path);
            continue;
        }
        if let Some(problem) = report.problems.first() {
            return Err(Error::Reported {
                message: format!(
                    "`{}` would not import: {problem}; nothing was imported",
                    path.display()
                ),
                exit: report.exit,
            });
        }
        if let (Some(s), Some(c)) = (report.site_id, report.export_cursor) {
            last.insert(s, Some(c));
        }
        checked.ordered.push(path);
    }
    Ok(checked)
}

/// A part that verified (hash, signature, format) but ends at or before
/// `current`: every row in it is one the site took already.
fn covered(report: &ValidationReport, current: Option<Cursor>) -> bool {
    let verified = |c: &Check| matches!(c, Check::Valid(_) | Check::Skipped(_));
    let before = match (report.export_cursor, current) {
        (Some(end), Some(current)) => end <= current,
        _ => false,
    };
    !report.ready
        && report.exit == crate::exit::Exit::CursorRefused
        && before
        && verified(&report.hash)
        && verified(&report.signature)
        && verified(&report.format)
}

/// `files` sorted by the export cursor their manifests name (a file whose
/// manifest cannot be read first, so that its validation names it), with
/// the site each one is from.
fn in_cursor_order(site: &Site, files: &[PathBuf]) -> Vec<(PathBuf, Option<String>)> {
    let policy = site.import_policy();
    let limits = Limits {
        max_bundle_bytes: u64::MAX,
        max_ratio: policy.max_decompression_ratio,
        ..Limits::default()
    };
    let mut keyed: Vec<(Option<Cursor>, PathBuf, Option<String>)> = files
        .iter()
        .map(|path| {
            let head = open_input(path)
                .ok()
                .and_then(|input| bundle::open(input.reader, &limits).ok())
                .map(|b| (b.manifest().export_cursor, b.manifest().site_id.clone()));
            let (cursor, site_id) = head.unzip();
            (cursor, path.clone(), site_id)
        })
        .collect();
    keyed.sort();
    keyed.dedup();
    keyed.into_iter().map(|(_, p, s)| (p, s)).collect()
}
