//! The `feedser-bundle/1.1` format (and 1.0, read): zstd frames that together decompress to
//! a canonical ustar archive of five members (`MANIFEST.json`,
//! `SIGNATURE.json`, `canonicals.ndjson`, `edges.ndjson`, `deletions.ndjson`),
//! each NDJSON member's bytes in a body frame of its own whose digest the
//! manifest pins, specified in `man/stella-bundle.5`.
//!
//! Invariants:
//! - Every byte counts. Writer and reader share one definition of the
//!   canonical encoding (tar headers, padding, trailer, zstd frame layout and
//!   parameters); the reader rebuilds the small frames it expects and
//!   compares, and checks body frames against their signed digests, so a
//!   bundle with any byte changed is refused and the same rows and key
//!   always give the same bytes.
//! - Trust is a type: [`open`] yields an [`UnverifiedBundle`] whose manifest
//!   is parsed but not trusted; the only ways to a [`VerifiedBundle`] are a
//!   [`SignatureProof`] from [`UnverifiedBundle::check_signature`] or an
//!   explicit [`UnverifiedBundle::skip_signature`].
//! - Reading is streaming and bounded: the compressed input, the manifest,
//!   the envelope, each NDJSON line, each JSON string, the zstd window, the
//!   members' declared total and the decompression ratio all have caps
//!   ([`Limits`]); rows are spooled to disk and merge-joined in constant
//!   memory.

mod check;
mod counted;
mod digest;
mod envelope;
mod error;
mod feed;
mod fields;
mod frame;
mod identity;
mod lexer;
mod lines;
mod manifest;
mod member;
mod order;
mod path;
mod read;
mod records;
pub(crate) mod rows;
mod rules;
mod scan;
mod scan_history;
mod seen;
mod sink;
mod small;
mod spool;
mod stream;
mod tally;
mod tap;
mod tarfmt;
mod write;

#[cfg(test)]
mod tests;

#[doc(hidden)]
pub use envelope::parse_envelope;
pub use envelope::{PAYLOAD_TYPE, SignatureError, SignatureProof, pae};
pub use error::BundleError;
pub use frame::worker_threads;
pub use manifest::{Counts, FileEntry, Manifest};
pub use path::ArchivePath;
pub use read::{UnverifiedBundle, VerifiedBundle, open};
pub use records::SpooledBundle;
pub(crate) use rows::is_advisory_key;
pub use rules::{MAX_KEY_BYTES, RowFault, check_record};
/// The row checks on their own, for the fuzz target `row_rules`.
#[doc(hidden)]
pub use {
    identity::fast_merge_hash,
    rules::{check_canonical_row, check_outgoing},
};

pub use spool::{NdjsonSpool, SpooledMember};
pub use write::{ExportHeader, WriteOptions, Written, write_bundle};

pub use crate::keys::TrustedPublicKey;

/// The `version` the manifests this stella writes carry: 1.1, whose rows
/// carry their causal history (`man/stella-bundle.5`).
pub const FORMAT_VERSION: &str = "feedser-bundle/1.1";
/// The first format, whose rows carry no history; still read and imported.
pub const FORMAT_1_0: &str = "feedser-bundle/1.0";
/// Every `version` this stella reads.
pub const READ_VERSIONS: [&str; 2] = [FORMAT_1_0, FORMAT_VERSION];
pub const MANIFEST_PATH: &str = "MANIFEST.json";
pub const SIGNATURE_PATH: &str = "SIGNATURE.json";

/// One of the three NDJSON members, in archive order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Member {
    Canonicals,
    Edges,
    Deletions,
}

impl Member {
    /// The three members in the order they appear in the archive.
    pub const ALL: [Member; 3] = [Member::Canonicals, Member::Edges, Member::Deletions];

    pub fn path(self) -> &'static str {
        match self {
            Member::Canonicals => "canonicals.ndjson",
            Member::Edges => "edges.ndjson",
            Member::Deletions => "deletions.ndjson",
        }
    }
}

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
            max_window_log: frame::WINDOW_LOG,
            max_ratio: DEFAULT_MAX_RATIO,
            max_content_bytes: 16 << 30,
            max_field_bytes: 256 << 10,
        }
    }
}
