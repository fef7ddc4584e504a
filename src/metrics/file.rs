//! The node_exporter textfile: read back, added to, and written atomically
//! (temp file + rename), so its counters count every run.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Metrics;
use super::parse::{Malformed, parse};

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

/// Adds `run` to the totals of the textfile at `path` and replaces it:
/// counters add up across runs, last-success gauges keep the latest time.
/// Runs that end together take turns on a lock file beside the textfile
/// (`.<name>.lock`). A missing file starts from zero; so does a malformed
/// one, which is returned so that the caller can warn about it.
pub fn update_textfile(path: &Path, run: Metrics) -> std::io::Result<Option<Malformed>> {
    let lock = lock_path(path);
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock)?;
    lock.lock()?;
    let (mut totals, malformed) = match std::fs::read_to_string(path) {
        Ok(text) => match parse(&text) {
            Ok(previous) => (previous, None),
            Err(m) => (Metrics::default(), Some(m)),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Metrics::default(), None),
        Err(e) => return Err(e),
    };
    totals.accumulate(run);
    write_textfile(path, &totals.render())?;
    Ok(malformed)
}

fn lock_path(path: &Path) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    path.with_file_name(format!(".{name}.lock"))
}
