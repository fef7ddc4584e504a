//! [`BundleError`], the one error type of the bundle boundary: each variant
//! names the member, line or value involved (its codes are in `codes.rs`).
//!
//! Invariant: an untrusted value in a message is escaped and cut ([`quoted`]).

use std::path::PathBuf;

use super::row::RowFault;
use super::signature::SignatureError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    #[error("cannot read the bundle: {0}")]
    Read(#[source] std::io::Error),
    #[error("cannot write the bundle: {0}")]
    Write(#[source] std::io::Error),
    #[error("cannot use spool file `{path}`: {source}")]
    Spool {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "bundle larger than the limit of {limit} bytes: raise the site's bundle size limit or export smaller bundles"
    )]
    TooLarge { limit: u64 },
    #[error(
        "not a zstd bundle (bad magic bytes `{found}`): check that the file is a `.tar.zst` bundle"
    )]
    NotZstd { found: String },
    #[error("zstd frame header is not canonical: found `{found}`, expected `{expected}`")]
    FrameHeader { found: String, expected: String },
    #[error(
        "bundle needs a zstd window of 2^{window_log} bytes, over the limit of 2^{limit}: ask the sender for a bundle made by `stella feedser bundle export`"
    )]
    WindowLimit { window_log: u32, limit: u32 },
    #[error(
        "bundle expands more than {ratio} times when decompressed: refused as a possible zstd bomb; if the sender is trusted, raise FederationImport.MaxDecompressionRatio"
    )]
    RatioExceeded { ratio: u64 },
    #[error(
        "manifest declares {declared} bytes of members, over the limit of {limit}: ask the sender for smaller bundles (--max-items)"
    )]
    ContentTooLarge { declared: u128, limit: u64 },
    #[error("zstd stream is corrupt: {detail}")]
    Zstd { detail: String },
    #[error(
        "zstd stream is not in canonical form: it decodes, but is not what level {level} with the canonical parameters gives"
    )]
    NonCanonicalCompression { level: i32 },
    #[error("zstd frames are not laid out as the format requires: {detail}")]
    FrameLayout { detail: String },
    #[error(
        "member `{path}` compressed bytes mismatch: manifest says `{expected}`, the frame is `{actual}`"
    )]
    CompressedMismatch {
        path: &'static str,
        expected: String,
        actual: String,
    },
    #[error("zstd level {level} is not supported: use a level from 1 to 19")]
    UnsupportedLevel { level: i32 },
    #[error("truncated bundle: the input ended early; fetch the bundle again")]
    Truncated,
    #[error("trailing data after the end of the bundle")]
    TrailingData,
    #[error("unsafe archive path `{path}`: {reason}")]
    UnsafePath { path: String, reason: &'static str },
    #[error("member `{path}` is a {kind}, not a regular file")]
    NotRegularFile { path: String, kind: String },
    #[error("unexpected member `{found}` where `{expected}` was expected")]
    UnexpectedMember {
        found: String,
        expected: &'static str,
    },
    #[error("bundle carries canonical `{merge_hash}` twice (line {line} of `canonicals.ndjson`)")]
    DuplicateCanonical { line: u64, merge_hash: String },
    #[error(
        "bundle carries the edge from `{edge_source}` `{advisory}` of canonical `{merge_hash}` twice \
         (line {line} of `edges.ndjson`)"
    )]
    DuplicateEdge {
        line: u64,
        merge_hash: String,
        edge_source: String,
        advisory: String,
    },
    #[error("duplicate member `{path}`")]
    DuplicateMember { path: String },
    #[error("extra member `{path}` after `deletions.ndjson`")]
    ExtraMember { path: String },
    #[error("tar header of `{path}` is not canonical")]
    NonCanonicalHeader { path: &'static str },
    #[error("tar padding after `{path}` is not zeros")]
    NonZeroPadding { path: &'static str },
    #[error("tar trailer is not exactly two zero blocks")]
    BadTrailer,
    #[error("member `{path}` is {size} bytes, over the limit of {limit}")]
    MemberTooLarge {
        path: &'static str,
        size: u64,
        limit: u64,
    },
    #[error("malformed `MANIFEST.json`: {detail}")]
    MalformedManifest { detail: String },
    #[error(
        "unsupported bundle version `{found}`: this stella reads `feedser-bundle/1.0` and `feedser-bundle/1.1`; upgrade stella"
    )]
    UnsupportedVersion { found: String },
    #[error(transparent)]
    Envelope(#[from] SignatureError),
    #[error("member `{path}` size mismatch: manifest says {expected}, content is {actual}")]
    SizeMismatch {
        path: &'static str,
        expected: u64,
        actual: u64,
    },
    #[error("member `{path}` sha256 mismatch: manifest says `{expected}`, content is `{actual}`")]
    Sha256Mismatch {
        path: &'static str,
        expected: String,
        actual: String,
    },
    #[error("member `{path}` line count mismatch: manifest says {expected}, content has {actual}")]
    LineCountMismatch {
        path: &'static str,
        expected: u64,
        actual: u64,
    },
    #[error("member `{path}` does not end with a newline")]
    MissingFinalNewline { path: &'static str },
    #[error("line {line} of `{path}` is longer than the limit of {limit} bytes")]
    LineTooLong {
        path: &'static str,
        line: u64,
        limit: u64,
    },
    #[error("line {line} of `{path}` is not a valid row: {detail}")]
    MalformedRow {
        path: &'static str,
        line: u64,
        detail: String,
    },
    #[error(
        "line {line} of `{path}`: field `{field}` holds a string of {size} bytes, over the limit of {limit}"
    )]
    FieldTooLong {
        path: &'static str,
        line: u64,
        field: String,
        size: u64,
        limit: u64,
    },
    #[error("line {line} of `{path}` is not in canonical form (compact JSON, model field order)")]
    NonCanonicalRow { path: &'static str, line: u64 },
    #[error(
        "line {line} of `{path}`: id `{id}` is not the id `{expected}` derived from its merge hash"
    )]
    IdMismatch {
        path: &'static str,
        line: u64,
        id: String,
        expected: String,
    },
    #[error("line {line} of `{path}`: unusable causal history: {detail}")]
    BadHistory {
        path: &'static str,
        line: u64,
        detail: String,
    },
    #[error(
        "line {line} of `{path}`: malformed merge hash `{}`: expected `sha256:` and 64 lowercase hex digits",
        quoted(.value)
    )]
    BadMergeHash {
        path: &'static str,
        line: u64,
        value: String,
    },
    #[error("line {line} of `canonicals.ndjson`: malformed advisory key `{}`", quoted(.value))]
    BadCve { line: u64, value: String },
    #[error(
        "line {line} of `edges.ndjson`: merge hash `{found}` differs from its canonical's `{expected}`"
    )]
    EdgeMergeHash {
        line: u64,
        found: String,
        expected: String,
    },
    #[error(
        "line {line} of `edges.ndjson` names canonical `{canonical_id}`, which is not in `canonicals.ndjson` or whose edges are out of order"
    )]
    EdgeOutOfOrder { line: u64, canonical_id: String },
    #[error("spooled member `{path}` is out of place: expected `{expected}` at this position")]
    MemberOrder {
        path: &'static str,
        expected: &'static str,
    },
    #[error("spooled member `{path}` was compressed at level {spooled}, not {level}")]
    SpoolLevel {
        path: &'static str,
        spooled: i32,
        level: i32,
    },
    #[error("spooled member `{path}` changed after it was spooled")]
    SpoolChanged { path: &'static str },
    #[error("line {line} of `{path}`: {fault}; {}", fault.advice())]
    Row {
        path: &'static str,
        line: u64,
        fault: RowFault,
    },
}

/// An untrusted value in a message: escaped for a terminal, and cut.
pub(super) fn quoted(value: &str) -> String {
    crate::escape::quoted(value, 128)
}
