//! OSV 1.x input: reading raw records from files, zips and streams, and
//! converting each into canonical records.
//!
//! Invariants:
//! - Reading is streaming: a bounded number of records is held at a time
//!   (a zip's are read ahead on a thread of their own, `zipped.rs`), memory
//!   does not grow with the number of records or zip entries, and no record
//!   or zip entry larger than [`MAX_RECORD_BYTES`] is ever buffered.
//! - A bad record is an item error naming its origin (and id when known) and
//!   never stops the records after it; only a source that cannot be opened at
//!   all ends that source.
//! - Conversion is pure: the same bytes always give the same canonicals, whose
//!   ids and merge hashes depend only on normalized content.
//! - Conversion yields only rows that every peer's bundle reader accepts
//!   (`fit.rs`): free text is fitted, and a record that would still make a
//!   row a peer refuses is an error, not a canonical.

mod batch;
mod convert;
mod distro;
mod fields;
mod fit;
mod read;
mod record;
mod sources;
mod split;
mod walk;
mod zipped;

pub use batch::{BATCH, BATCH_BYTES, Batch};
pub use convert::{convert, convert_from};
pub use distro::{DISTRO_ADVISORY_PREFIXES, is_distro_advisory};
pub use fit::{CUT_MARK, outgoing_canonical};
pub use read::{read_inputs, read_stream};
pub use sources::{
    GUESSED, SOURCES, check_known as check_known_sources, is_source_name, known_source,
    renamed_guess, source_named, source_names, source_of,
};

use std::path::PathBuf;

/// Largest record or zip entry accepted, to stop zip bombs and runaway streams.
pub const MAX_RECORD_BYTES: u64 = 16 * 1024 * 1024;

/// One source record as read, before conversion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawRecord {
    /// Where it came from: a file path, `<zip path>!<entry>`, or `<stdin>#<n>`.
    pub origin: String,
    pub bytes: Vec<u8>,
}

/// Why a record could not be converted.
#[derive(Debug, thiserror::Error)]
pub enum OsvError {
    #[error("record is not valid OSV JSON{}: {source}", id_suffix(.id))]
    Json {
        id: Option<String>,
        source: serde_json::Error,
    },
    #[error("record has no `id`: every OSV record needs one")]
    MissingId,
    #[error(
        "record id `{}` is not an advisory id (1 to 128 printable ASCII characters, no spaces): fix the record or give it a `CVE-YYYY-NNNN` alias",
        .id.escape_debug()
    )]
    BadId { id: String },
    #[error("record `{id}` lists no affected package: nothing to ingest")]
    NoAffected { id: String },
    #[error(
        "record `{id}` has no package with a usable purl or an ecosystem and a name: give its affected packages a `purl`, or an `ecosystem` and a `name`"
    )]
    NoPackage { id: String },
    #[error(
        "record `{id}` would make a bundle row that every peer refuses ({detail}): fix the record at its source"
    )]
    Unexportable { id: String, detail: String },
}

impl OsvError {
    /// The record id, when the record got far enough to show one.
    pub fn id(&self) -> Option<&str> {
        match self {
            OsvError::Json { id, .. } => id.as_deref(),
            OsvError::MissingId => None,
            OsvError::BadId { id }
            | OsvError::NoAffected { id }
            | OsvError::NoPackage { id }
            | OsvError::Unexportable { id, .. } => Some(id),
        }
    }

    /// What is particular to this record beyond its [`reason`](Self::reason).
    pub fn detail(&self) -> Option<String> {
        match self {
            OsvError::Json { source, .. } => Some(source.to_string()),
            OsvError::Unexportable { detail, .. } => Some(detail.clone()),
            _ => None,
        }
    }

    /// What is wrong, the same for every record it happens to (an ingest
    /// groups its refusals by this).
    pub fn reason(&self) -> &'static str {
        match self {
            OsvError::Json { .. } => "not valid OSV JSON: fix the record at its source",
            OsvError::MissingId => "no `id`: every OSV record needs one",
            OsvError::BadId { .. } => {
                "the id is not an advisory id (1 to 128 printable ASCII characters, no spaces): fix the record or give it a `CVE-YYYY-NNNN` alias"
            }
            OsvError::NoAffected { .. } => "no affected package: nothing to ingest",
            OsvError::NoPackage { .. } => {
                "no package with a usable purl or an ecosystem and a name: give its affected packages a `purl`, or an `ecosystem` and a `name`"
            }
            OsvError::Unexportable { .. } => {
                "it would make a bundle row that every peer refuses: fix the record at its source"
            }
        }
    }
}

fn id_suffix(id: &Option<String>) -> String {
    id.as_ref()
        .map(|id| format!(" (id `{id}`)"))
        .unwrap_or_default()
}

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the zip `{path}`: {source}; check that it is an osv.dev-style `all.zip`")]
    Zip {
        path: PathBuf,
        source: zip::result::ZipError,
    },
    #[error("cannot read `{origin}`: {detail}")]
    Entry { origin: String, detail: String },
    #[error(
        "`{origin}` is larger than {MAX_RECORD_BYTES} bytes: split it or check that it is an OSV record"
    )]
    TooLarge { origin: String },
    #[error("`{origin}` is not a JSON object: {detail}")]
    Malformed { origin: String, detail: String },
}

impl InputError {
    /// The origin the error is about, as a record failure names it.
    pub fn origin(&self) -> String {
        match self {
            InputError::Io { path, .. } | InputError::Zip { path, .. } => {
                path.display().to_string()
            }
            InputError::Entry { origin, .. }
            | InputError::TooLarge { origin }
            | InputError::Malformed { origin, .. } => origin.clone(),
        }
    }

    /// What is particular to this input beyond its [`reason`](Self::reason).
    pub fn detail(&self) -> Option<String> {
        match self {
            InputError::Io { source, .. } => Some(source.to_string()),
            InputError::Zip { source, .. } => Some(source.to_string()),
            InputError::Entry { detail, .. } | InputError::Malformed { detail, .. } => {
                Some(detail.clone())
            }
            InputError::TooLarge { .. } => None,
        }
    }

    /// What is wrong, the same for every input it happens to (an ingest
    /// groups its refusals by this).
    pub fn reason(&self) -> &'static str {
        match self {
            InputError::Io { .. } | InputError::Entry { .. } => "the input cannot be read",
            InputError::Zip { .. } => {
                "not a readable zip: check that it is an osv.dev-style `all.zip`"
            }
            InputError::TooLarge { .. } => {
                "larger than 16777216 bytes: split it or check that it is an OSV record"
            }
            InputError::Malformed { .. } => "not a JSON object",
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fuzz_regressions;

#[cfg(test)]
mod distro_tests;

#[cfg(test)]
mod sources_tests;
