//! Where an export's bytes go when they go to a path: never a half file
//! under the final name, never a device or pipe replaced by a file, never
//! an existing file replaced without `--force` (issue #28), and no
//! temporary file left behind by a signal (`interrupts`) or, once
//! `journal gc` runs, by a kill (the spool lock records it).

use std::io::Write;
use std::path::Path;

use crate::bundle::Written;
use crate::durable::SyncingFile;
use crate::error::{Error, Result};
use crate::export::ExportError;
use crate::journal::{EXPORT_TEMP_PREFIX, Scratch};

use crate::site::interrupts::Interrupts;

/// Bytes written between the early syncs of a file output: the disk
/// writes the bundle while it is still being copied out of the spool,
/// rather than all of it in the final sync.
const SYNC_EVERY: u64 = 8 << 20;

/// What a temporary output is registered with while it exists.
pub struct Tracking<'a> {
    pub interrupts: &'a Interrupts,
    pub scratch: &'a mut Scratch,
}

/// Refuses a target that exists (a file, link or directory) unless
/// `force`; a device or pipe is written in place, so it is not replaced.
pub fn check_target(path: &Path, force: bool) -> Result<()> {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    let replaced = meta.is_file() || meta.is_dir() || meta.file_type().is_symlink();
    if replaced && !force {
        return Err(Error::Usage(format!(
            "`{}` already exists: pass --force to replace it, or choose another --output",
            path.display()
        )));
    }
    Ok(())
}

/// Writes beside the target and renames: never a half file under the final
/// name. A target that exists and is not a regular file or a directory
/// (`/dev/null`, a FIFO, a terminal) is written in place instead: a rename
/// would replace the device or pipe itself with a file.
pub fn write_atomically(
    path: &Path,
    tracking: Tracking<'_>,
    write: impl FnOnce(&mut dyn Write) -> Result<Written, ExportError>,
) -> Result<Written> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(Error::io("cannot write", path))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        let written = write(&mut out)?;
        out.flush().map_err(Error::io("cannot write", path))?;
        return Ok(written);
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = {
        let mut registered = tracking.interrupts.paths();
        let tmp = crate::durable::shared_temp(dir, EXPORT_TEMP_PREFIX, "")
            .map_err(Error::io("cannot create a file in", dir))?;
        registered.push(tmp.path().to_owned());
        tmp
    };
    let temp_path = std::path::absolute(tmp.path()).unwrap_or_else(|_| tmp.path().to_owned());
    tracking.scratch.record(&temp_path).map_err(Error::io(
        "cannot record the export in",
        tracking.scratch.dir(),
    ))?;
    crate::site::hooks::pause_export(tracking.scratch.dir());
    let file = tmp.as_file().try_clone();
    let file = file.map_err(Error::io("cannot write", path))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, SyncingFile::new(file, SYNC_EVERY));
    let written = write(&mut out)?;
    let synced = out.into_inner().map_err(|e| e.into_error());
    synced
        .and_then(SyncingFile::sync)
        .map_err(Error::io("cannot write", path))?;
    let registered = tmp.path().to_owned();
    tmp.persist(path).map_err(|e| Error::Io {
        action: "cannot write",
        path: path.to_owned(),
        source: e.error,
    })?;
    tracking.interrupts.forget(&registered);
    Ok(written)
}
