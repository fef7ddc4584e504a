//! The node_exporter textfile: written atomically, and read back only for
//! the last-success times a failed run must not lose.

use std::io::Write;
use std::path::Path;

use super::render::LAST_SUCCESS;
use super::{Metrics, Operation};

/// Replaces `path` with `text`: a temp file in the same directory, fsync,
/// rename. node_exporter reads either the old file or the new one.
pub fn write_textfile(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".stella-metrics-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    // node_exporter runs as another user: the textfile is world-readable.
    set_readable(tmp.path())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(unix)]
fn set_readable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_readable(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

/// The last-success times of a textfile written before (none when it is
/// missing or unreadable; lines that do not parse are skipped).
pub fn read_previous(path: &Path) -> Metrics {
    let mut metrics = Metrics::default();
    let Ok(text) = std::fs::read_to_string(path) else {
        return metrics;
    };
    for line in text.lines() {
        if let Some((op, site, ms)) = parse_last_success(line) {
            metrics.last_success.insert((op, site), ms);
        }
    }
    metrics
}

/// `stella_last_success_timestamp_seconds{operation="import",site_id="a"} 1.5`
fn parse_last_success(line: &str) -> Option<(Operation, String, i64)> {
    let rest = line
        .strip_prefix(LAST_SUCCESS)?
        .strip_prefix("{operation=\"")?;
    let (op, rest) = rest.split_once("\",site_id=\"")?;
    let (site, value) = rest.split_once("\"} ")?;
    let op = match op {
        "import" => Operation::Import,
        "export" => Operation::Export,
        _ => return None,
    };
    if site.contains(['\\', '"']) {
        return None;
    }
    let (whole, frac) = value.trim().split_once('.').unwrap_or((value.trim(), "0"));
    let frac: String = frac.chars().chain("000".chars()).take(3).collect();
    let ms = whole
        .parse::<i64>()
        .ok()?
        .checked_mul(1000)?
        .checked_add(frac.parse().ok()?)?;
    Some((op, site.to_owned(), ms))
}
