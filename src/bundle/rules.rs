//! The rules of a row's strings and identity, the same on every store and
//! for every writer. The reader refuses a row that breaks one (`rows.rs`,
//! which both `validate` and `import` go through); ingest applies them to
//! what it would store ([`check_record`]), so that a site never exports a
//! row its peers refuse.
//!
//! - No string holds NUL (U+0000): PostgreSQL `text` cannot store it, so
//!   such a row would import on SQLite and fail on PostgreSQL.
//! - Identifiers hold no control character (Unicode Cc: U+0000 to U+001F,
//!   U+007F, U+0080 to U+009F). Every string of a row is an identifier but a
//!   canonical's `title` and `summary`, free text (shown escaped).
//! - The keys the stores index (a canonical's `affects_key`, an edge's
//!   `source` and `source_advisory_id`) hold at most [`MAX_KEY_BYTES`]: a
//!   PostgreSQL B-tree entry holds about 2.7 KB at most.
//! - A canonical's `merge_hash` is the hash of its identity as
//!   `man/stella-merge-hash.7` defines it, recomputed here. A deletion
//!   carries only the hash, so only its form and the id derived from it
//!   can be checked.

use super::rows::{check_canonical, check_edge, parse_row};
use super::{BundleError, Limits, Member};
use crate::model::merge_hash::compute;
use crate::model::{Canonical, CanonicalRecord, Deletion, RangeEvent, SourceEdge};

/// The longest `affects_key`, edge `source` or `source_advisory_id`.
pub const MAX_KEY_BYTES: usize = 512;

/// How much of an offending value a message quotes.
const QUOTE: usize = 64;

/// A rule of this file that a row breaks.
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

fn text(field: &'static str, value: &str) -> Result<(), RowFault> {
    match value.contains('\0') {
        true => Err(RowFault::Nul { field }),
        false => Ok(()),
    }
}

fn ident(field: &'static str, value: &str) -> Result<(), RowFault> {
    match value.chars().find(|c| c.is_control()) {
        None => Ok(()),
        Some(c) => Err(RowFault::Control {
            field,
            code: u32::from(c),
            shown: crate::escape::quoted(value, QUOTE),
        }),
    }
}

fn key(field: &'static str, value: &str) -> Result<(), RowFault> {
    ident(field, value)?;
    match value.len() > MAX_KEY_BYTES {
        true => Err(RowFault::KeyTooLong {
            field,
            size: value.len(),
        }),
        false => Ok(()),
    }
}

fn event_value(event: &RangeEvent) -> &str {
    match event {
        RangeEvent::Introduced(v)
        | RangeEvent::Fixed(v)
        | RangeEvent::LastAffected(v)
        | RangeEvent::Limit(v) => v,
    }
}

/// The string rules of a canonical row (its `cve` and `merge_hash` have
/// rules of their own, checked first), then its merge hash.
pub(crate) fn canonical(c: &Canonical) -> Result<(), RowFault> {
    key("affects_key", &c.affects_key)?;
    text("title", &c.title)?;
    text("summary", &c.summary)?;
    (c.cvss_vector.as_deref()).map_or(Ok(()), |v| ident("cvss_vector", v))?;
    for range in &c.version_range {
        ident("version_range", &range.range_type)?;
        (range.repo.as_deref()).map_or(Ok(()), |r| ident("version_range", r))?;
        for event in &range.events {
            ident("version_range", event_value(event))?;
        }
    }
    let lists = [
        ("weaknesses", &c.weaknesses),
        ("patch_lineage", &c.patch_lineage),
    ];
    for (field, items) in lists {
        items.iter().try_for_each(|item| ident(field, item))?;
    }
    for (field, value) in [("published", &c.published), ("modified", &c.modified)] {
        value.as_deref().map_or(Ok(()), |v| ident(field, v))?;
    }
    merge_hash(c)
}

fn merge_hash(c: &Canonical) -> Result<(), RowFault> {
    let expected = compute(
        &c.cve,
        &c.affects_key,
        &c.version_range,
        &c.weaknesses,
        &c.patch_lineage,
    );
    match expected == c.merge_hash {
        true => Ok(()),
        false => Err(RowFault::MergeHash {
            found: c.merge_hash.clone(),
            expected,
        }),
    }
}

pub(crate) fn edge(e: &SourceEdge) -> Result<(), RowFault> {
    key("source", &e.source)?;
    key("source_advisory_id", &e.source_advisory_id)?;
    ident("vendor_status", &e.vendor_status)?;
    ident("source_sha256", &e.source_sha256)
}

pub(crate) fn deletion(d: &Deletion) -> Result<(), RowFault> {
    ident("deleted_at", &d.deleted_at)?;
    ident("reason", &d.reason)
}

/// What an importer with the default [`Limits`] says of `record`'s rows as
/// a bundle carries them (each line serialized and read back through the
/// reader's own checks, caps included): `Ok` exactly when every peer
/// accepts them. Errors name line 1 of the member.
pub fn check_record(record: &CanonicalRecord) -> Result<(), BundleError> {
    let limits = Limits::default();
    let mut again = Vec::new();
    let c: Canonical = read_back(Member::Canonicals, &record.canonical, &limits, &mut again)?;
    check_canonical(1, &c)?;
    for edge in &record.edges {
        let e: SourceEdge = read_back(Member::Edges, edge, &limits, &mut again)?;
        check_edge(1, &e, &c.merge_hash)?;
    }
    Ok(())
}

/// The reference reading of a `canonicals.ndjson` row (its line without
/// the newline), as import reads it, with the default [`Limits`]: for the
/// fuzz target `row_rules`.
pub fn check_canonical_row(line: &[u8]) -> Result<Canonical, BundleError> {
    let path = Member::Canonicals.path();
    let max_field = Limits::default().max_field_bytes;
    let c: Canonical = parse_row(path, 1, line, max_field, &mut Vec::new())?;
    check_canonical(1, &c)?;
    Ok(c)
}

/// What every peer says of a stored record as an export sends it: its
/// canonical line and its edges' lines (each ending in a newline), through
/// the reader's own row checks with the default [`Limits`]. Export asks
/// this of rows an older stella stored, before these rules were kept at
/// ingest and import.
pub fn check_outgoing(canonical: &[u8], edges: &[u8]) -> Result<(), BundleError> {
    let body = canonical.strip_suffix(b"\n").unwrap_or(canonical);
    let c = check_canonical_row(body)?;
    let (path, max_field) = (Member::Edges.path(), Limits::default().max_field_bytes);
    for (i, line) in edges
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let edge: SourceEdge = parse_row(path, i as u64 + 1, line, max_field, &mut Vec::new())?;
        check_edge(i as u64 + 1, &edge, &c.merge_hash)?;
    }
    Ok(())
}

fn read_back<T: serde::Serialize + serde::de::DeserializeOwned>(
    member: Member,
    row: &T,
    limits: &Limits,
    again: &mut Vec<u8>,
) -> Result<T, BundleError> {
    let path = member.path();
    let line = serde_json::to_vec(row).map_err(|e| BundleError::MalformedRow {
        path,
        line: 1,
        detail: e.to_string(),
    })?;
    if line.len() as u64 + 1 > limits.max_line_bytes {
        return Err(BundleError::LineTooLong {
            path,
            line: 1,
            limit: limits.max_line_bytes,
        });
    }
    parse_row(path, 1, &line, limits.max_field_bytes, again)
}
