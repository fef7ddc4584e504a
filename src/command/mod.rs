//! The commands: one file per subcommand (a clap struct and its `run`),
//! each group's clap enum in its `mod.rs`, and what they share: the global
//! flags (`global`), the context they run with (`context`), value parsers,
//! stdout, progress bars and the logger.
//!
//! Invariant: nothing here is imported by the site layer or the core; the
//! top-level dispatch (`crate::cli`) is the only way in.

pub mod audit;
pub mod bundle;
pub mod canonical;
pub mod context;
pub mod count;
pub mod db;
pub mod dev;
pub mod doctor;
pub mod events;
pub mod export_osv;
pub mod feedser;
pub mod global;
pub mod ingest;
pub mod init;
pub mod journal;
pub mod keys;
pub mod logger;
pub mod output;
pub mod parse;
pub mod progress;
pub mod quarantine;
#[cfg(feature = "serve")]
pub mod serve;
pub mod sites;
pub mod sync;
pub mod table;

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
