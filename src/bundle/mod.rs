//! The `feedser-bundle/1.1` format (and 1.0, read): zstd frames that together decompress to
//! a canonical ustar archive of five members (`MANIFEST.json`,
//! `SIGNATURE.json`, `canonicals.ndjson`, `edges.ndjson`, `deletions.ndjson`),
//! each NDJSON member's bytes in a body frame of its own whose digest the
//! manifest pins, specified in `man/stella-bundle.5`.
//!
//! The module is grouped by stage; each depends only on the ones listed
//! before it (this file only declares and re-exports):
//!
//! | stage     | what it holds                                                              |
//! |-----------|----------------------------------------------------------------------------|
//! | `error/`  | [`BundleError`], [`SignatureError`], [`RowFault`] and their reason codes   |
//! | `format/` | members and versions, [`Limits`], paths, manifest, envelope, tags, tar and zstd layout |
//! | `io/`     | the hashing and counting adapters: sha256 thread, counted reader and writer, tap, tally |
//! | `rows/`   | the row checks: reference reader, rules, the fast scanner, duplicates, order |
//! | `write/`  | the member writer and [`write_bundle`]                                     |
//! | `read/`   | [`open`], trust ([`UnverifiedBundle`] → [`VerifiedBundle`]), the frame walk, [`CheckedBundle`], [`SpooledBundle`] |
//!
//! What is checked where (each check has one home; `rows/check.rs` repeats
//! the row checks on its fast path and hands any doubt to `rows/reader.rs`):
//!
//! | check                                                        | file                       |
//! |--------------------------------------------------------------|----------------------------|
//! | compressed input cap, truncation                             | `io/counted.rs`            |
//! | decompression-ratio cap                                      | `read/input.rs`            |
//! | zstd frame header, window cap                                | `format/frame.rs`          |
//! | manifest and envelope size caps, frame layout, end of input  | `read/stream.rs`           |
//! | small frames re-encoded and compared                         | `read/stream.rs`           |
//! | declared content cap                                         | `read/open.rs`             |
//! | tar header canonical, member names and order                 | `format/tar.rs`            |
//! | tar padding, trailer, member size cap, extra members         | `read/small.rs`            |
//! | archive path safety                                          | `format/path.rs`           |
//! | manifest schema, canonical form, consistency                 | `format/manifest.rs`       |
//! | JSON string length cap (manifest, envelope, rows)            | `format/fields.rs`         |
//! | envelope form, payload type and digest                       | `format/envelope.rs`       |
//! | signature under a trusted key                                | `format/envelope.rs` (`Envelope::check`, via `read/open.rs`) |
//! | skipping the signature is allowed                            | `read/skip.rs` (`SignaturePolicy`) |
//! | member size, sha256, body-frame digest, line count           | `read/member.rs`           |
//! | line cap (streamed)                                          | `io/tally.rs`              |
//! | row form, ids, advisory key, history, edge merge hash        | `rows/reader.rs`           |
//! | row rules (NUL, control characters, key length, merge hash recomputed) | `rows/rules.rs`  |
//! | merge hash recomputed on the fast path                       | `rows/identity.rs`         |
//! | a canonical listed twice                                     | `rows/duplicates.rs`       |
//! | a duplicate edge, edges grouped in canonical order           | `read/records.rs` (import), `rows/check.rs` (validate) |
//! | the cursor follows the site's last import                    | `import/admit.rs` (outside `bundle/`) |
//!
//! Invariants:
//! - Every byte counts. Writer and reader share one definition of the
//!   canonical encoding (tar headers, padding, trailer, zstd frame layout and
//!   parameters); the reader rebuilds the small frames it expects and
//!   compares, and checks body frames against their signed digests, so a
//!   bundle with any byte changed is refused and the same rows and key
//!   always give the same bytes.
//! - Trust is a type: [`open`] yields an [`UnverifiedBundle`] whose manifest
//!   is parsed but not trusted; the only ways to a [`VerifiedBundle`] (and so
//!   to rows) are [`UnverifiedBundle::verify`], which binds the verified key
//!   to this bundle, and [`UnverifiedBundle::skip_signature`], which spends a
//!   [`SignatureSkip`] only the signature
//!   policy mints. [`UnverifiedBundle::check`] reads everything and keeps no
//!   rows: a [`CheckedBundle`] has no records to ask for.
//! - Reading is streaming and bounded: the compressed input, the manifest,
//!   the envelope, each NDJSON line, each JSON string, the zstd window, the
//!   members' declared total and the decompression ratio all have caps
//!   ([`Limits`]); rows are spooled to disk and merge-joined in constant
//!   memory.

mod error;
mod format;
mod io;
mod read;
pub(crate) mod rows;
mod write;

#[cfg(test)]
mod tests;

pub use error::{BundleError, MAX_KEY_BYTES, PAYLOAD_TYPE, RowFault, SignatureError};
pub use format::envelope::pae;
#[doc(hidden)]
pub use format::envelope::parse_envelope;
pub use format::frame::worker_threads;
pub use format::limits::{DEFAULT_MAX_RATIO, Limits};
pub use format::manifest::{Counts, FileEntry, Manifest};
pub use format::members::{
    FORMAT_1_0, FORMAT_VERSION, MANIFEST_PATH, Member, READ_VERSIONS, SIGNATURE_PATH,
};
pub use format::path::ArchivePath;
pub(crate) use format::tag::tag_digest;
pub use read::{
    CheckedBundle, SignaturePolicy, SignatureSkip, SkipRefused, SpooledBundle, UnverifiedBundle,
    VerifiedBundle, open,
};
pub use rows::check_record;
pub(crate) use rows::is_advisory_key;
/// The row checks on their own, for the fuzz target `row_rules`.
#[doc(hidden)]
pub use rows::{check_canonical_row, check_outgoing, fast_merge_hash};
pub use write::{ExportHeader, NdjsonSpool, SpooledMember, WriteOptions, Written, write_bundle};

pub use crate::keys::TrustedPublicKey;
