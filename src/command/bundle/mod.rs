pub mod export;
pub mod import;
mod interrupts;
pub mod monitor;
mod output;
pub mod pipeline;
mod signals;
pub mod signer;
mod staging;
pub use signals::{Cancellable, Signals};
pub mod trail;
pub mod validate;

use std::fs::File;
use std::path::Path;

use crate::error::{Error, Result};
use crate::import::Input;

/// A locked scratch directory under `root` (`journal::Scratch`).
pub fn scratch(root: &Path) -> Result<crate::journal::Scratch> {
    crate::journal::Scratch::create(root).map_err(|e| match e {
        crate::journal::JournalError::Staging { path, source } => Error::Io {
            action: "cannot create scratch space",
            path,
            source,
        },
        other => crate::import::ImportError::from(other).into(),
    })
}

/// `-` is stdin; a regular file's size is known before reading.
pub fn open_input(path: &Path) -> Result<Input<'static>> {
    if path == Path::new("-") {
        return Ok(Input {
            reader: Box::new(std::io::stdin().lock()),
            len: None,
        });
    }
    let file = File::open(path).map_err(Error::io("cannot open bundle", path))?;
    let meta = file
        .metadata()
        .map_err(Error::io("cannot read bundle", path))?;
    // A FIFO or `<(…)` has no size up front: it is read like stdin.
    Ok(Input {
        reader: Box::new(std::io::BufReader::with_capacity(1 << 16, file)),
        len: meta.is_file().then_some(meta.len()),
    })
}

pub fn counts_line(c: &crate::bundle::Counts) -> String {
    format!(
        "{} canonicals, {} edges, {} deletions ({} items)",
        c.canonicals, c.edges, c.deletions, c.total
    )
}
