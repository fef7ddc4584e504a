//! Where an export starts and where its bundles go: the cursor it starts
//! after, each part's path, and the record of what was sent to a peer.
//!
//! Invariant: every target is checked (`output::check_target`) before
//! the first byte is written.

use std::path::{Path, PathBuf};

use crate::cursor::Cursor;
use crate::error::Result;
use crate::export::Part;
use crate::site::{Site, now};
use crate::store::Store;

use super::ExportRequest;
use super::output;

/// Where the export starts: `since`, else with `for_site` after what was
/// last sent to that peer, else everything.
pub fn since(request: &ExportRequest, store: &dyn Store) -> Result<Option<Cursor>> {
    let Some(peer) = request
        .for_site
        .as_deref()
        .filter(|_| request.since.is_none())
    else {
        return Ok(crate::export::resolve(store, request.since)?);
    };
    let sent = store.sent()?.into_iter().find(|s| s.site_id == peer);
    Ok(sent.and_then(|s| s.sent_cursor))
}

/// With `for_site`: what was sent now (`None` when nothing was), and the
/// peer's cursor given as `since` as its acknowledgement.
pub fn record_sent(site: &Site, request: &ExportRequest, sent: Option<Cursor>) -> Result<()> {
    let Some(peer) = &request.for_site else {
        return Ok(());
    };
    let now = now();
    let record = crate::store::Sent {
        site_id: peer.clone(),
        sent_cursor: sent,
        sent_at: sent.map(|_| now.clone()),
        acked_cursor: request.since,
        acked_at: request.since.map(|_| now),
    };
    let _lock = site.writer()?;
    site.open_store()?.record_sent(&record)?;
    Ok(())
}

/// Each part's target (`None`: stdout), every one checked before
/// anything is written, and what an earlier run left under the same name
/// that must go once they are written (`crate::export::chain::stale`).
pub fn paths(
    request: &ExportRequest,
    site_id: &str,
    parts: &[Part],
) -> Result<(Vec<Option<PathBuf>>, Vec<PathBuf>)> {
    let paths: Vec<Option<PathBuf>> = (0..parts.len())
        .map(|i| part_path(request, site_id, &parts[i], i, parts.len()))
        .collect();
    for path in paths.iter().flatten() {
        output::check_target(path, request.force)?;
    }
    let stale = match &request.output {
        Some(base) if base != Path::new("-") && !parts.is_empty() => {
            crate::export::chain::stale(base, parts.len())
        }
        _ => Vec::new(),
    };
    if let Some(left) = stale.first().filter(|_| !request.force) {
        return Err(crate::error::Error::Usage(format!(
            "`{}` is left from an earlier export to the same name: pass --force to replace that export's files, or choose another --output",
            left.display()
        )));
    }
    Ok((paths, stale))
}

/// Removes what an earlier run left under the same name, once this run's
/// files are in place: the chain on disk is then this run's alone.
pub fn remove_stale(stale: &[PathBuf]) -> Result<()> {
    for path in stale {
        std::fs::remove_file(path).map_err(crate::error::Error::io("cannot remove", path))?;
    }
    Ok(())
}

/// A chain numbers its parts (`crate::export::chain::part_path`):
/// `x.tar.zst` → `x.0001.tar.zst`, `x.zst` → `x.0001.zst`, ….
fn part_path(
    request: &ExportRequest,
    site_id: &str,
    part: &Part,
    index: usize,
    count: usize,
) -> Option<PathBuf> {
    let base = match &request.output {
        Some(p) if p == Path::new("-") => return None,
        Some(p) => p.clone(),
        None => PathBuf::from(default_name(site_id, part)),
    };
    if count == 1 || request.output.is_none() {
        return Some(base);
    }
    Some(crate::export::chain::part_path(&base, index + 1))
}

/// `site-a-20250115T103000.000Z-0042.tar.zst`: sortable and safe on any filesystem.
fn default_name(site_id: &str, part: &Part) -> String {
    let cursor = part
        .upto
        .to_string()
        .replace([':', '-'], "")
        .replace('#', "-");
    format!("{site_id}-{cursor}.tar.zst")
}
