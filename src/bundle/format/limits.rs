//! [`Limits`]: the caps applied while reading an untrusted bundle.
//!
//! Invariant: every read of untrusted bytes is bounded by one of these
//! (the stages name which in `bundle/mod.rs`).

/// The default of [`Limits::max_ratio`] (config
/// `FederationImport.MaxDecompressionRatio`): real NDJSON bundles expand
/// about 5 to 20 times.
pub const DEFAULT_MAX_RATIO: u64 = 200;

/// Caps applied while reading an untrusted bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Compressed bytes, as transferred.
    pub max_bundle_bytes: u64,
    pub max_manifest_bytes: u64,
    pub max_signature_bytes: u64,
    /// One NDJSON line, newline included.
    pub max_line_bytes: u64,
    /// Largest zstd window the decoder may allocate, as a power of two.
    pub max_window_log: u32,
    /// Decompressed bytes per compressed byte read so far (the first 64 KiB
    /// of input count as 64 KiB however small they are): a zstd bomb stops
    /// at this ratio, long before its declared sizes are reached.
    pub max_ratio: u64,
    /// The sum of the member sizes the manifest declares.
    pub max_content_bytes: u64,
    /// One JSON string (key or value) of a row, as encoded.
    pub max_field_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bundle_bytes: 1 << 30,
            max_manifest_bytes: 64 << 10,
            max_signature_bytes: 64 << 10,
            max_line_bytes: 4 << 20,
            max_window_log: super::frame::WINDOW_LOG,
            max_ratio: DEFAULT_MAX_RATIO,
            max_content_bytes: 16 << 30,
            max_field_bytes: 256 << 10,
        }
    }
}
