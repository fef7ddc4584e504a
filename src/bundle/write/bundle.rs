//! Writing a bundle: manifest from the spooled members (whose body frames
//! are already compressed), envelope over the manifest bytes, then the
//! frames in order: head, and per member a joint frame and its body frame,
//! and the last joint frame. The output is a pure function of the header,
//! the rows, the key and the level: thread count, wall time and host do not
//! enter it.
//!
//! Invariant: the same header, rows, key, level and version always give
//! the same bytes.

use std::io::{self, BufReader, Read, Write};

use super::member_writer::SpooledMember;
use super::options::WriteOptions;
use crate::bundle::error::BundleError;
use crate::bundle::format::envelope::Envelope;
use crate::bundle::format::frame;
use crate::bundle::format::manifest::{Counts, FileEntry, Manifest};
use crate::bundle::format::members::{MANIFEST_PATH, Member, SIGNATURE_PATH};
use crate::bundle::format::path::ArchivePath;
use crate::bundle::format::tar::{self as tarfmt, TRAILER};
use crate::bundle::io::counted::HashingWriter;
use crate::bundle::io::digest::Sha256Thread;
use crate::cursor::Cursor;
use crate::keys::Signer;
use crate::model::sha256_tagged;

/// What the manifest says besides the members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportHeader {
    pub site_id: String,
    pub since_cursor: Option<Cursor>,
    pub export_cursor: Cursor,
    /// `2025-01-15T10:30:00.000Z`.
    pub exported_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// `sha256:<hex>` of the compressed bytes.
    pub bundle_hash: String,
    pub manifest: Manifest,
    /// Compressed size.
    pub bytes: u64,
}

pub fn write_bundle(
    out: &mut dyn Write,
    header: &ExportHeader,
    members: [SpooledMember; 3],
    signer: Option<&crate::keys::Signer>,
    opts: &WriteOptions,
) -> Result<Written, BundleError> {
    let level = opts.level;
    if !frame::LEVELS.contains(&level) {
        return Err(BundleError::UnsupportedLevel { level });
    }
    if let Some(m) = members.iter().find(|m| m.level != level) {
        return Err(BundleError::SpoolLevel {
            path: m.member.path(),
            spooled: m.level,
            level,
        });
    }
    let manifest = build_manifest(header, &members, (level, opts.version))?;
    let manifest_bytes = manifest.to_bytes()?;
    // The reader applies the same checks; refuse to write what it would refuse.
    Manifest::parse(&manifest_bytes)?;
    let envelope = sign(&manifest_bytes, signer);
    // The bundle's hash is taken on a thread of its own (from its first
    // 128 KiB on) while the spooled frames are copied out.
    let mut sink = HashingWriter::with(out, Sha256Thread::new());
    let mut head = Vec::new();
    push_member(&mut head, MANIFEST_PATH, &manifest_bytes)?;
    push_member(&mut head, SIGNATURE_PATH, &envelope)?;
    small_frame(&mut sink, &head, level)?;
    let mut previous = None;
    for spooled in members {
        let (path, size) = (spooled.member.path(), spooled.size);
        let mut joint = padding(previous);
        joint.extend_from_slice(&tarfmt::canonical_header(&ArchivePath::new(path)?, size));
        small_frame(&mut sink, &joint, level)?;
        let frame_size = spooled.compressed_size;
        copy_body(&mut sink, path, &mut spooled.into_file(), frame_size)?;
        previous = Some(size);
    }
    let mut last = padding(previous);
    last.extend_from_slice(&[0u8; TRAILER]);
    small_frame(&mut sink, &last, level)?;
    let (_, bundle_hash, bytes) = sink.finish_into();
    Ok(Written {
        bundle_hash,
        manifest,
        bytes,
    })
}

/// A member whole (header, bytes, padding), for the head frame.
fn push_member(out: &mut Vec<u8>, path: &'static str, data: &[u8]) -> Result<(), BundleError> {
    let size = data.len() as u64;
    out.extend_from_slice(&tarfmt::canonical_header(&ArchivePath::new(path)?, size));
    out.extend_from_slice(data);
    out.extend_from_slice(&[0u8; tarfmt::BLOCK][..tarfmt::padding(size)]);
    Ok(())
}

/// The zero padding after a member of this size (none before the first).
fn padding(previous: Option<u64>) -> Vec<u8> {
    vec![0u8; previous.map_or(0, tarfmt::padding)]
}

fn small_frame(out: &mut dyn Write, content: &[u8], level: i32) -> Result<(), BundleError> {
    let bytes = frame::compress(content, level).map_err(BundleError::Write)?;
    out.write_all(&bytes).map_err(BundleError::Write)
}

/// Bytes of a body frame moved at a time: large pieces keep the reads and
/// writes few (`io::copy` through a `dyn Write` would move 8 KiB at a time
/// from a plain reader; from a `BufReader` it moves the reader's buffer).
const COPY: usize = 1 << 20;

/// Exactly `size` bytes of a spooled body frame, and nothing after them.
fn copy_body(
    out: &mut dyn Write,
    path: &'static str,
    file: &mut dyn Read,
    size: u64,
) -> Result<(), BundleError> {
    let mut input = BufReader::with_capacity(COPY, file.take(size));
    let copied = io::copy(&mut input, out).map_err(BundleError::Write)?;
    let mut extra = [0u8; 1];
    let rest = input.into_inner().into_inner().read(&mut extra);
    if copied != size || rest.map_err(BundleError::Write)? != 0 {
        return Err(BundleError::SpoolChanged { path });
    }
    Ok(())
}

fn sign(manifest: &[u8], signer: Option<&Signer>) -> Vec<u8> {
    Envelope::new(manifest, &sha256_tagged(manifest), signer).to_bytes()
}

fn build_manifest(
    header: &ExportHeader,
    members: &[SpooledMember; 3],
    (level, version): (i32, &str),
) -> Result<Manifest, BundleError> {
    let mut files = Vec::with_capacity(3);
    for (spooled, expected) in members.iter().zip(Member::ALL) {
        if spooled.member != expected {
            return Err(BundleError::MemberOrder {
                path: spooled.member.path(),
                expected: expected.path(),
            });
        }
        files.push(FileEntry {
            path: ArchivePath::new(expected.path())?,
            sha256: spooled.sha256.clone(),
            size: spooled.size,
            lines: spooled.lines,
            compressed_sha256: spooled.compressed_sha256.clone(),
            compressed_size: spooled.compressed_size,
        });
    }
    let [c, e, d] = members.each_ref().map(|m| m.lines);
    Ok(Manifest {
        version: version.to_owned(),
        site_id: header.site_id.clone(),
        since_cursor: header.since_cursor,
        export_cursor: header.export_cursor,
        exported_at: header.exported_at.clone(),
        counts: Counts {
            canonicals: c,
            edges: e,
            deletions: d,
            total: c.saturating_add(e).saturating_add(d),
        },
        files,
        zstd_level: level,
    })
}
