//! One file per subcommand: a clap struct and its `run`.

pub mod audit;
pub mod bundle;
pub mod canonical;
pub mod completions;
pub mod db;
pub mod dev;
pub mod doctor;
pub mod events;
pub mod export_osv;
pub mod feedser;
pub mod ingest;
pub mod init;
pub mod journal;
pub mod keys;
pub mod quarantine;
#[cfg(feature = "serve")]
pub mod serve;
pub mod sites;

use std::path::Path;

use pkcs8::der::zeroize::Zeroizing;

use crate::error::Result;

/// Reads a passphrase file, if one was given (see `keys::read_passphrase_file`).
pub fn read_passphrase(path: Option<&Path>) -> Result<Option<Zeroizing<String>>> {
    Ok(path.map(crate::keys::read_passphrase_file).transpose()?)
}

pub fn or_dash(value: Option<impl ToString>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}
