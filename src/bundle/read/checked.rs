//! A bundle read to the end and found sound, with what the reading learnt:
//! the hash of the compressed bytes, their size and who signed. A
//! [`CheckedBundle`] has no rows to read; a `SpooledBundle` (`spooled.rs`)
//! is one whose members were kept, and only it has records.
//!
//! Invariant: it exists only once every byte was held to the manifest (and,
//! when it comes from a check, every row to the row rules).
//!
//! ```compile_fail
//! fn rows(checked: &stella::bundle::CheckedBundle) {
//!     let _ = checked.records();
//! }
//! ```
//!
//! ```
//! fn hash(checked: &stella::bundle::CheckedBundle) -> &str {
//!     checked.bundle_hash()
//! }
//! ```

use std::fmt;

use crate::bundle::format::manifest::Manifest;

pub struct CheckedBundle {
    pub(super) manifest: Manifest,
    pub(super) manifest_sha256: String,
    pub(super) bundle_hash: String,
    pub(super) signer_key_id: Option<String>,
    pub(super) compressed_size: u64,
    /// Caps of one line and of one JSON string in it.
    pub(super) caps: (u64, u64),
}

impl CheckedBundle {
    /// `sha256:<hex>` of the compressed bytes as transferred.
    pub fn bundle_hash(&self) -> &str {
        &self.bundle_hash
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn manifest_sha256(&self) -> &str {
        &self.manifest_sha256
    }

    /// The key whose signature verified; `None` when the check was skipped
    /// (or not asked for).
    pub fn signer_key_id(&self) -> Option<&str> {
        self.signer_key_id.as_deref()
    }

    pub fn compressed_size(&self) -> u64 {
        self.compressed_size
    }
}

impl fmt::Debug for CheckedBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckedBundle")
            .field("bundle_hash", &self.bundle_hash)
            .field("manifest_sha256", &self.manifest_sha256)
            .field("signer_key_id", &self.signer_key_id)
            .field("compressed_size", &self.compressed_size)
            .finish_non_exhaustive()
    }
}
