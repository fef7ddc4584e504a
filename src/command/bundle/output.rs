//! Where an export's bytes go when they go to a path: never a half file
//! under the final name, and never a device or pipe replaced by a file.

use std::io::Write;
use std::path::Path;

use crate::bundle::Written;
use crate::error::{Error, Result};
use crate::export::ExportError;

/// Writes beside the target and renames: never a half file under the final
/// name. A target that exists and is not a regular file or a directory
/// (`/dev/null`, a FIFO, a terminal) is written in place instead: a rename
/// would replace the device or pipe itself with a file.
pub(super) fn write_atomically(
    path: &Path,
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
    let mut tmp = tempfile::Builder::new()
        .prefix(".stella-export-")
        .tempfile_in(dir)
        .map_err(Error::io("cannot create a file in", dir))?;
    let written = {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
        let written = write(&mut out)?;
        out.flush().map_err(Error::io("cannot write", path))?;
        written
    };
    tmp.as_file()
        .sync_all()
        .map_err(Error::io("cannot write", path))?;
    tmp.persist(path).map_err(|e| Error::Io {
        action: "cannot write",
        path: path.to_owned(),
        source: e.error,
    })?;
    Ok(written)
}
