//! One NDJSON member as the reader meets it: its joint frame (the previous
//! member's padding and its own header), then its body frame decoded into a
//! sink, and the member's size, digests and line count held to the signed
//! manifest's entry for it.
//!
//! Invariant: a member is accepted only when its size, digest, line count
//! and body-frame digest all equal the manifest's entry.

use super::stream::TarStream;
use crate::bundle::error::BundleError;
use crate::bundle::format::manifest::Manifest;
use crate::bundle::format::members::Member;
use crate::bundle::io::tally::MemberSink;

/// Where a member comes: the members before it, and the NDJSON member just
/// before it with its size (whose padding opens this member's joint frame).
pub(super) struct Position<'k> {
    pub(super) earlier: &'k [&'k str],
    pub(super) previous: Option<(&'static str, u64)>,
}

/// Reads and checks one member into `sink`; returns its size.
pub(super) fn spool_member(
    stream: &mut TarStream<'_>,
    manifest: &Manifest,
    member: Member,
    at: Position<'_>,
    sink: &mut dyn MemberSink,
) -> Result<u64, BundleError> {
    let path = member.path();
    let entry = manifest
        .file(member)
        .ok_or_else(|| BundleError::MalformedManifest {
            detail: format!("no entry for `{path}`"),
        })?;
    let size = stream.member_header(member, at.earlier, at.previous)?;
    if size != entry.size {
        return Err(BundleError::SizeMismatch {
            path,
            expected: entry.size,
            actual: size,
        });
    }
    let sizes = (size, entry.compressed_size);
    let (tally, compressed) = stream.body(member, sizes, sink)?;
    if tally.sha256 != entry.sha256 {
        return Err(BundleError::Sha256Mismatch {
            path,
            expected: entry.sha256.clone(),
            actual: tally.sha256,
        });
    }
    if tally.open_line {
        return Err(BundleError::MissingFinalNewline { path });
    }
    if tally.lines != entry.lines {
        return Err(BundleError::LineCountMismatch {
            path,
            expected: entry.lines,
            actual: tally.lines,
        });
    }
    if compressed != entry.compressed_sha256 {
        return Err(BundleError::CompressedMismatch {
            path,
            expected: entry.compressed_sha256.clone(),
            actual: compressed,
        });
    }
    Ok(size)
}
