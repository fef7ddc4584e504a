//! [`RowFault`]: a rule of `rows/rules.rs` that a row breaks, and the key
//! length cap its message names.
//!
//! Invariant: each variant has one stable reason code and one piece of
//! advice for the receiving site.

/// The longest `affects_key`, edge `source` or `source_advisory_id`.
pub const MAX_KEY_BYTES: usize = 512;

/// A rule of `rows/rules.rs` that a row breaks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RowFault {
    #[error("field `{field}` holds a NUL character (U+0000), which no store can keep")]
    Nul { field: &'static str },
    #[error(
        "field `{field}` holds the control character U+{code:04X} (`{shown}`), which no identifier may hold"
    )]
    Control {
        field: &'static str,
        code: u32,
        shown: String,
    },
    #[error(
        "field `{field}` holds {size} bytes, over the limit of {MAX_KEY_BYTES} for a key the stores index"
    )]
    KeyTooLong { field: &'static str, size: usize },
    #[error(
        "merge hash `{found}` is not `{expected}`, the hash of the row's cve, affects_key, version_range, weaknesses and patch_lineage (see stella-merge-hash(7))"
    )]
    MergeHash { found: String, expected: String },
}

impl RowFault {
    pub fn reason_code(&self) -> &'static str {
        match self {
            RowFault::Nul { .. } => "string_has_nul",
            RowFault::Control { .. } => "identifier_has_control",
            RowFault::KeyTooLong { .. } => "key_too_long",
            RowFault::MergeHash { .. } => "merge_hash_mismatch",
        }
    }

    /// What the receiving site can do about a bundle row with this fault.
    pub fn advice(&self) -> &'static str {
        match self {
            RowFault::MergeHash { .. } => {
                "the row was altered after its hash was made: do not import this bundle, and tell the sending site"
            }
            _ => "ask the sending site to fix the record and export again",
        }
    }
}
