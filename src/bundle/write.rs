//! Writing a bundle: manifest from the spooled members, envelope over the
//! manifest bytes, canonical tar, canonical zstd frame. The output is a pure
//! function of the header, the rows, the key and the level: thread count,
//! wall time and host do not enter it.

use std::io::{self, Read, Write};

use super::envelope::Envelope;
use super::frame::{self, HashingWriter};
use super::tarfmt::{self, TRAILER};
use super::{
    ArchivePath, BundleError, Counts, FORMAT_VERSION, FileEntry, MANIFEST_PATH, Manifest, Member,
    SIGNATURE_PATH, SpooledMember,
};
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteOptions {
    /// zstd level, 1 to 19; part of what determines the bytes.
    pub level: i32,
    /// zstd workers (0 is taken as 1); does not change the bytes.
    pub threads: u32,
}

impl Default for WriteOptions {
    fn default() -> Self {
        Self {
            level: 3,
            threads: 1,
        }
    }
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
    if !frame::LEVELS.contains(&opts.level) {
        return Err(BundleError::UnsupportedLevel { level: opts.level });
    }
    let manifest = build_manifest(header, &members, opts.level)?;
    let manifest_bytes = manifest.to_bytes()?;
    // The reader applies the same checks; refuse to write what it would refuse.
    Manifest::parse(&manifest_bytes)?;
    let envelope = sign(&manifest_bytes, signer);
    let sink = HashingWriter::new(out);
    let mut enc = frame::encoder(sink, opts.level, opts.threads).map_err(BundleError::Write)?;
    write_member(
        &mut enc,
        MANIFEST_PATH,
        &mut &manifest_bytes[..],
        manifest_bytes.len() as u64,
    )?;
    write_member(
        &mut enc,
        SIGNATURE_PATH,
        &mut &envelope[..],
        envelope.len() as u64,
    )?;
    for spooled in members {
        let (path, size) = (spooled.member.path(), spooled.size);
        let mut file = spooled.into_file();
        write_member(&mut enc, path, &mut file, size)?;
        let mut extra = [0u8; 1];
        if file.read(&mut extra).map_err(BundleError::Write)? != 0 {
            return Err(BundleError::SpoolChanged { path });
        }
    }
    enc.write_all(&[0u8; TRAILER]).map_err(BundleError::Write)?;
    let sink = enc.finish().map_err(BundleError::Write)?;
    let (bundle_hash, bytes) = sink.finish();
    Ok(Written {
        bundle_hash,
        manifest,
        bytes,
    })
}

fn sign(manifest: &[u8], signer: Option<&Signer>) -> Vec<u8> {
    Envelope::new(manifest, &sha256_tagged(manifest), signer).to_bytes()
}

fn build_manifest(
    header: &ExportHeader,
    members: &[SpooledMember; 3],
    level: i32,
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
        });
    }
    let [c, e, d] = members.each_ref().map(|m| m.lines);
    Ok(Manifest {
        version: FORMAT_VERSION.to_owned(),
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

/// Header, exactly `size` bytes of `data`, zero padding.
fn write_member(
    out: &mut dyn Write,
    path: &'static str,
    data: &mut dyn Read,
    size: u64,
) -> Result<(), BundleError> {
    let header = tarfmt::canonical_header(&ArchivePath::new(path)?, size);
    out.write_all(&header).map_err(BundleError::Write)?;
    let copied = copy_large(&mut data.take(size), out).map_err(BundleError::Write)?;
    if copied != size {
        return Err(BundleError::SpoolChanged { path });
    }
    out.write_all(&[0u8; tarfmt::BLOCK][..tarfmt::padding(size)])
        .map_err(BundleError::Write)?;
    Ok(())
}

/// `io::copy` in 1 MiB pieces: the multi-threaded compressor synchronises
/// with its workers on every write, so 8 KiB writes cost more than the
/// compression they feed.
fn copy_large(data: &mut dyn Read, out: &mut dyn Write) -> io::Result<u64> {
    let mut buf = vec![0u8; 1 << 20];
    let mut copied = 0;
    loop {
        let n = match data.read(&mut buf) {
            Ok(0) => return Ok(copied),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        out.write_all(buf.get(..n).unwrap_or_default())?;
        copied += n as u64;
    }
}
