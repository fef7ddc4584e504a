//! The row checks on one record or one line, outside a bundle: what ingest
//! applies before it stores a record ([`check_record`]), so that a site never
//! exports a row its peers refuse, and the fuzz target `row_rules`'s entry
//! ([`check_canonical_row`]), and what export asks of a row an older stella
//! stored ([`check_outgoing`]).
//!
//! Invariant: the same checks, in the same order, as a bundle's rows get
//! (`reader.rs`), with the default [`Limits`].

use super::reader::{check_canonical, check_edge, check_field_cap, parse_row};
use crate::bundle::error::BundleError;
use crate::bundle::format::limits::Limits;
use crate::bundle::format::members::Member;
use crate::model::{Canonical, CanonicalRecord, SourceEdge};

/// What an importer with the default [`Limits`] says of `record`'s rows as
/// a bundle carries them: `Ok` exactly when every peer accepts them. Errors
/// name line 1 of the member.
///
/// Each row is serialized and put through the reader's byte checks (line
/// cap, field cap); its rules are then checked on `record` itself, not on a
/// parse of that line. The two are the same: serde's reading of serde's
/// writing of these types (strings, UUIDs, unit enums, options, lists) is
/// the value written, which written again is the same bytes, so the
/// reader's parse and one-spelling rule cannot refuse it. That saves a parse
/// and a second serialization per row, about two thirds of an ingest's
/// row checks; `tests::same_as_reading_back` holds it to the full reading.
pub fn check_record(record: &CanonicalRecord) -> Result<(), BundleError> {
    let limits = Limits::default();
    let mut line = Vec::new();
    write_line(Member::Canonicals, &record.canonical, &limits, &mut line)?;
    check_canonical(1, &record.canonical)?;
    for edge in &record.edges {
        write_line(Member::Edges, edge, &limits, &mut line)?;
        check_edge(1, edge, &record.canonical.merge_hash)?;
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

/// `row` as its member's line (in `line`, without the newline), through
/// the reader's line and field caps.
fn write_line<T: serde::Serialize>(
    member: Member,
    row: &T,
    limits: &Limits,
    line: &mut Vec<u8>,
) -> Result<(), BundleError> {
    let path = member.path();
    line.clear();
    serde_json::to_writer(&mut *line, row).map_err(|e| BundleError::MalformedRow {
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
    check_field_cap(path, 1, line, limits.max_field_bytes)
}

#[cfg(test)]
mod tests;
