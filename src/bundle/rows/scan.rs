//! The fast path of reading a row: checks in one pass, with no allocation,
//! that a line is exactly how serde_json writes a model row, and picks out
//! the fields the row checks need.
//!
//! Invariants:
//! - It may refuse too much, never too little: a line it accepts is one the
//!   reference path in `reader.rs` (parse with serde, serialize again, compare
//!   the bytes) accepts, with the same field values. A line it refuses goes
//!   to the reference path, which decides and words any error, so a gap here
//!   costs speed, never a verdict. Tests hold it to that on generated rows,
//!   on rows with one byte changed, and under fuzzing.
//! - The grammar is serde_json's compact output for the model types: fields
//!   in declaration order, no whitespace, `null` for a missing option, UUIDs
//!   hyphenated in lowercase, and in strings only the escapes serde_json
//!   writes (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, and `\u00xx` in
//!   lowercase for the other control characters). The line must be UTF-8.
//! - Extracted strings are returned only when they hold no escape, so their
//!   bytes are their value (and UTF-8); a row whose key fields hold one is
//!   refused here.
//! - Every field `rules.rs` calls an identifier is read as one: no escape,
//!   no control character. Free text (`title`, `summary`) may hold escapes,
//!   but no piece accepts a NUL.

use uuid::Uuid;

use super::lexer::Scanner;

/// The fields of a `canonicals.ndjson` row that the row checks read: the
/// identity the merge hash stands for (`identity.rs`) as the bytes of its
/// values, and of the lists, their JSON arrays.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct CanonicalKeys<'a> {
    pub(crate) id: Uuid,
    pub(crate) cve: &'a [u8],
    pub(crate) affects_key: &'a [u8],
    pub(crate) merge_hash: &'a [u8],
    pub(crate) version_range: &'a [u8],
    pub(crate) weaknesses: &'a [u8],
    pub(crate) patch_lineage: &'a [u8],
}

/// The fields of an `edges.ndjson` row that the row checks read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct EdgeKeys<'a> {
    pub(crate) canonical_id: Uuid,
    pub(crate) merge_hash: &'a [u8],
    pub(crate) source: &'a [u8],
    pub(crate) source_advisory_id: &'a [u8],
}

/// The fields of a `deletions.ndjson` row that the row checks read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct DeletionKeys<'a> {
    pub(crate) canonical_id: Uuid,
    pub(crate) merge_hash: &'a [u8],
}

const STATUS: &[&[u8]] = &[b"\"active\"", b"\"withdrawn\""];
const SEVERITY: &[&[u8]] = &[
    b"\"critical\"",
    b"\"high\"",
    b"\"medium\"",
    b"\"low\"",
    b"\"none\"",
    b"\"unknown\"",
];
/// A canonical row's keys, its ranges read for their form only.
#[cfg(test)]
pub(crate) fn canonical(line: &[u8]) -> Option<CanonicalKeys<'_>> {
    canonical_with(line, |s| s.array(Scanner::range))
}

/// A canonical row read with `ranges` reading its `version_range` array
/// (the grammar of `Scanner::range`, or stricter): `validate` serializes
/// the ranges for the merge hash as it reads them (`identity.rs`), rather
/// than reading them twice.
pub(super) fn canonical_with<'a>(
    line: &'a [u8],
    ranges: impl FnOnce(&mut Scanner<'a>) -> Option<()>,
) -> Option<CanonicalKeys<'a>> {
    let mut s = Scanner::new(line)?;
    s.lit(b"{\"id\":")?;
    let id = s.uuid()?;
    s.lit(b",\"cve\":")?;
    let cve = s.plain()?;
    s.lit(b",\"affects_key\":")?;
    let affects_key = s.ident()?;
    s.lit(b",\"merge_hash\":")?;
    let merge_hash = s.sha256_tag().or_else(|| s.plain())?;
    s.lit(b",\"status\":")?;
    s.one_of(STATUS)?;
    s.lit(b",\"severity\":")?;
    s.one_of(SEVERITY)?;
    for field in [&b",\"title\":"[..], b",\"summary\":"] {
        s.lit(field)?;
        s.string()?;
    }
    s.lit(b",\"cvss_vector\":")?;
    s.ident_option()?;
    s.lit(b",\"version_range\":")?;
    let start = s.pos();
    ranges(&mut s)?;
    let version_range = s.since(start);
    let mut lists = [&[][..]; 2];
    for (field, list) in [&b",\"weaknesses\":"[..], b",\"patch_lineage\":"]
        .into_iter()
        .zip(&mut lists)
    {
        s.lit(field)?;
        let start = s.pos();
        s.array(Scanner::ident)?;
        *list = s.since(start);
    }
    for field in [&b",\"published\":"[..], b",\"modified\":"] {
        s.lit(field)?;
        s.ident_option()?;
    }
    s.opt_history()?;
    s.lit(b"}")?;
    s.end()?;
    let [weaknesses, patch_lineage] = lists;
    Some(CanonicalKeys {
        id,
        cve,
        affects_key,
        merge_hash,
        version_range,
        weaknesses,
        patch_lineage,
    })
}

pub(crate) fn edge(line: &[u8]) -> Option<EdgeKeys<'_>> {
    let mut s = Scanner::new(line)?;
    s.lit(b"{\"id\":")?;
    s.uuid()?;
    s.lit(b",\"canonical_id\":")?;
    let canonical_id = s.uuid()?;
    s.lit(b",\"merge_hash\":")?;
    let merge_hash = s.sha256_tag().or_else(|| s.plain())?;
    s.lit(b",\"source\":")?;
    let source = s.ident()?;
    s.lit(b",\"source_advisory_id\":")?;
    let source_advisory_id = s.ident()?;
    s.lit(b",\"vendor_status\":")?;
    s.ident()?;
    s.lit(b",\"source_sha256\":")?;
    s.sha256_tag().or_else(|| s.ident())?;
    s.lit(b"}")?;
    s.end()?;
    Some(EdgeKeys {
        canonical_id,
        merge_hash,
        source,
        source_advisory_id,
    })
}

pub(crate) fn deletion(line: &[u8]) -> Option<DeletionKeys<'_>> {
    let mut s = Scanner::new(line)?;
    s.lit(b"{\"canonical_id\":")?;
    let canonical_id = s.uuid()?;
    s.lit(b",\"merge_hash\":")?;
    let merge_hash = s.sha256_tag().or_else(|| s.plain())?;
    for field in [&b",\"deleted_at\":"[..], b",\"reason\":"] {
        s.lit(field)?;
        s.ident()?;
    }
    s.opt_history()?;
    s.lit(b"}")?;
    s.end()?;
    Some(DeletionKeys {
        canonical_id,
        merge_hash,
    })
}
