//! [`WriteOptions`]: how a bundle is encoded: the zstd level and workers
//! and the format version.
//!
//! Invariant: only the level and the version change the bytes; the worker
//! count never does.

use crate::bundle::format::members::FORMAT_VERSION;

/// The encoding of a bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteOptions {
    /// zstd level, 1 to 19; part of what determines the bytes.
    pub level: i32,
    /// zstd workers (0 is taken as 1); does not change the bytes.
    pub threads: u32,
    /// The manifest's `version`: [`FORMAT_VERSION`] but for test vectors
    /// of the older format.
    pub version: &'static str,
}

impl Default for WriteOptions {
    fn default() -> Self {
        Self {
            level: 3,
            threads: 1,
            version: FORMAT_VERSION,
        }
    }
}
