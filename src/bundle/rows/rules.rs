//! The rules of a row's strings and identity, the same on every store and
//! for every writer. The reader refuses a row that breaks one (`reader.rs`,
//! which both `validate` and `import` go through); ingest applies them to
//! what it would store (`record.rs`), so that a site never exports a
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
//!
//! Invariant: one set of rules for every reader and writer of rows.

use crate::bundle::error::{MAX_KEY_BYTES, RowFault};
use crate::model::merge_hash::compute;
use crate::model::{Canonical, Deletion, RangeEvent, SourceEdge};

/// How much of an offending value a message quotes.
const QUOTE: usize = 64;

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
