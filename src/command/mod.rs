//! One file per subcommand: a clap struct and its `run`.

pub mod audit;
pub mod bundle;
pub mod canonical;
pub mod completions;
pub mod db;
pub mod dev;
pub mod doctor;
pub mod events;
pub mod ingest;
pub mod init;
pub mod journal;
pub mod keys;
pub mod quarantine;
#[cfg(feature = "serve")]
pub mod serve;
pub mod sites;

use std::path::Path;

use crate::error::{Error, Result};

/// Reads a passphrase file; one trailing newline is not part of the passphrase.
pub fn read_passphrase(path: Option<&Path>) -> Result<Option<String>> {
    let Some(path) = path else { return Ok(None) };
    let text =
        std::fs::read_to_string(path).map_err(Error::io("cannot read passphrase file", path))?;
    let text = text.strip_suffix('\n').unwrap_or(&text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    Ok(Some(text.to_owned()))
}

pub fn or_dash(value: Option<impl ToString>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}
