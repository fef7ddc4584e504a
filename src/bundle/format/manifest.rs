//! `MANIFEST.json`: what the bundle holds and the digests that pin every
//! NDJSON member. It is written as compact JSON in declaration order with no
//! trailing newline, and the reader insists on exactly that form (it
//! re-serializes what it parsed and compares), so the signed bytes have one
//! spelling. Parsing also checks internal consistency: version, the three
//! file entries in member order, counts equal to line counts, digest shapes,
//! a body frame exactly for non-empty members, cursor order, the
//! `exported_at` form and the zstd level range.
//!
//! Invariant: a parsed [`Manifest`] re-serializes to exactly the bytes it
//! was parsed from and is consistent with itself.

use serde::{Deserialize, Serialize};

use super::fields::check_strings;
use super::frame;
use super::members::{Member, READ_VERSIONS};
use super::path::ArchivePath;
use super::tag::{EMPTY_SHA256, is_sha256_tag};
use crate::bundle::error::BundleError;
use crate::cursor::{Cursor, format_millis};

/// The longest JSON string a manifest (or an envelope) may hold: the
/// longest real ones are digests (71 bytes) and site ids (64).
pub(crate) const MAX_FIELD_BYTES: u64 = 256;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub version: String,
    pub site_id: String,
    /// `None`: a full export.
    pub since_cursor: Option<Cursor>,
    pub export_cursor: Cursor,
    /// `2025-01-15T10:30:00.000Z`.
    pub exported_at: String,
    pub counts: Counts,
    /// The three NDJSON members, in archive order.
    pub files: Vec<FileEntry>,
    /// The zstd level the bundle was compressed at: part of the canonical
    /// encoding, which the reader re-creates to compare (see `frame`).
    pub zstd_level: i32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    pub canonicals: u64,
    pub edges: u64,
    pub deletions: u64,
    pub total: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub path: ArchivePath,
    /// `sha256:<hex>` of the member's bytes.
    pub sha256: String,
    pub size: u64,
    pub lines: u64,
    /// `sha256:<hex>` of the member's body frame as transferred (of no
    /// bytes for an empty member, which has no frame).
    pub compressed_sha256: String,
    pub compressed_size: u64,
}

impl Manifest {
    /// The entry of one NDJSON member (present once the manifest is parsed).
    pub fn file(&self, member: Member) -> Option<&FileEntry> {
        self.files.iter().find(|f| f.path.as_str() == member.path())
    }

    pub fn to_bytes(&self) -> Result<Vec<u8>, BundleError> {
        serde_json::to_vec(self).map_err(|e| malformed(e.to_string()))
    }

    /// Parses and checks untrusted manifest bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, BundleError> {
        check_strings(bytes, MAX_FIELD_BYTES).map_err(malformed)?;
        let manifest: Manifest =
            serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
        if !READ_VERSIONS.contains(&manifest.version.as_str()) {
            return Err(BundleError::UnsupportedVersion {
                found: manifest.version,
            });
        }
        if manifest.to_bytes()? != bytes {
            return Err(malformed(
                "not in canonical form (compact JSON, fields in format order, no trailing newline)"
                    .into(),
            ));
        }
        manifest.check()?;
        Ok(manifest)
    }

    fn check(&self) -> Result<(), BundleError> {
        if !crate::model::is_valid_site_id(&self.site_id) {
            return Err(malformed(format!(
                "invalid site id `{}` ({})",
                self.site_id.escape_debug(),
                crate::model::SITE_ID_RULE
            )));
        }
        if self
            .since_cursor
            .is_some_and(|since| since > self.export_cursor)
        {
            return Err(malformed("`since_cursor` is after `export_cursor`".into()));
        }
        let time_ok = self
            .exported_at
            .parse::<jiff::Timestamp>()
            .ok()
            .is_some_and(|ts| format_millis(ts.as_millisecond()) == self.exported_at);
        if !time_ok {
            return Err(malformed(format!(
                "`exported_at` `{}` is not `YYYY-MM-DDTHH:MM:SS.mmmZ`",
                self.exported_at.escape_debug()
            )));
        }
        if !frame::LEVELS.contains(&self.zstd_level) {
            return Err(malformed(format!(
                "`zstd_level` {} is outside {:?}",
                self.zstd_level,
                frame::LEVELS
            )));
        }
        self.check_files()?;
        let c = &self.counts;
        let lines: Vec<u64> = self.files.iter().map(|f| f.lines).collect();
        let sum = c
            .canonicals
            .checked_add(c.edges)
            .and_then(|s| s.checked_add(c.deletions));
        if lines != [c.canonicals, c.edges, c.deletions] || sum != Some(c.total) {
            return Err(malformed(
                "`counts` disagree with the line counts of `files`".into(),
            ));
        }
        Ok(())
    }

    fn check_files(&self) -> Result<(), BundleError> {
        let paths: Vec<&str> = self.files.iter().map(|f| f.path.as_str()).collect();
        if paths != Member::ALL.map(Member::path) {
            return Err(malformed(format!(
                "`files` must list {:?} in that order",
                Member::ALL.map(Member::path)
            )));
        }
        for f in &self.files {
            for (name, digest) in [
                ("sha256", &f.sha256),
                ("compressed_sha256", &f.compressed_sha256),
            ] {
                if !is_sha256_tag(digest) {
                    return Err(malformed(format!(
                        "`{name}` of `{}` is not `sha256:<64 hex>`",
                        f.path
                    )));
                }
            }
            let framed = f.compressed_size != 0;
            if (f.size != 0) != framed || (!framed && f.compressed_sha256 != EMPTY_SHA256) {
                return Err(malformed(format!(
                    "`{}`: an empty member has no frame (compressed_size 0, the digest of no bytes), any other has one",
                    f.path
                )));
            }
        }
        Ok(())
    }
}

fn malformed(detail: String) -> BundleError {
    BundleError::MalformedManifest { detail }
}
