//! The documents an import answers with (the seed's response and failure
//! shapes, shared by `bundle import --json` and the HTTP API), and the
//! opening of a bundle file.
//!
//! Invariant: a failure document's `reason` is the import error's stable
//! reason code.

use std::fs::File;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::import::{ImportError, ImportOutcome, Input, Surface};

/// The seed's response, with `duration_ms`.
#[derive(Serialize)]
pub struct Response<'a> {
    #[serde(flatten)]
    pub outcome: &'a ImportOutcome,
    pub duration_ms: u128,
}

/// The seed's failure document.
#[derive(Serialize)]
pub struct Failure<'a> {
    pub success: bool,
    pub reason: &'static str,
    pub error: String,
    pub conflicts: &'a [crate::import::Conflict],
    pub duration_ms: u128,
}

impl<'a> Failure<'a> {
    /// The failure document of `bundle import --json`.
    pub fn new(error: &'a ImportError, duration_ms: u128) -> Failure<'a> {
        Failure::on(Surface::Cli, error, duration_ms)
    }

    /// The failure document of the HTTP API: its message names query
    /// parameters and config keys, not flags.
    pub fn http(error: &'a ImportError, duration_ms: u128) -> Failure<'a> {
        Failure::on(Surface::Http, error, duration_ms)
    }

    fn on(surface: Surface, error: &'a ImportError, duration_ms: u128) -> Failure<'a> {
        let conflicts = match error {
            ImportError::Conflicts { conflicts } => conflicts.as_slice(),
            _ => &[],
        };
        Failure {
            success: false,
            reason: error.reason_code(),
            error: error.render(surface),
            conflicts,
            duration_ms,
        }
    }
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
