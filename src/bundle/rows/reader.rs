//! Reading spooled NDJSON rows back: one bounded line at a time, each parsed
//! with unknown fields refused, required to be in canonical form (it must
//! re-serialize to the same bytes, so one row has one spelling), and checked
//! for the identities other sites rely on: well-formed merge hash and
//! advisory key, ids derived from the merge hash, and the rules of
//! `rules.rs` (strings, indexed keys, the merge hash recomputed).
//!
//! Invariant: this is the reference path: its verdict and wording decide
//! for every row, the fast path's included.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::rules;
use crate::bundle::error::{BundleError, RowFault};
use crate::bundle::format::fields::first_long_string;
use crate::bundle::format::members::Member;
use crate::bundle::format::tag::is_sha256_tag;
use crate::model::{Canonical, Deletion, SourceEdge, canonical_id};

pub(crate) struct LineReader {
    path: &'static str,
    reader: BufReader<File>,
    line: u64,
    max: u64,
    max_field: u64,
    buf: Vec<u8>,
    /// The row serialized again, to compare (reused: no allocation per row).
    again: Vec<u8>,
}

impl LineReader {
    pub(crate) fn open(
        dir: &Path,
        member: Member,
        max: u64,
        max_field: u64,
    ) -> Result<Self, BundleError> {
        let file_path = dir.join(member.path());
        let file = File::open(&file_path).map_err(|source| BundleError::Spool {
            path: file_path,
            source,
        })?;
        Ok(Self {
            path: member.path(),
            reader: BufReader::new(file),
            line: 0,
            max,
            max_field,
            buf: Vec::new(),
            again: Vec::new(),
        })
    }

    /// The next row and its 1-based line number.
    pub(crate) fn next_row<T: DeserializeOwned + Serialize>(
        &mut self,
    ) -> Result<Option<(u64, T)>, BundleError> {
        self.buf.clear();
        let path = self.path;
        let n = (&mut self.reader)
            .take(self.max.saturating_add(1))
            .read_until(b'\n', &mut self.buf)
            .map_err(|source| BundleError::Spool {
                path: path.into(),
                source,
            })?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        let line = self.line;
        if n as u64 > self.max {
            return Err(BundleError::LineTooLong {
                path,
                line,
                limit: self.max,
            });
        }
        let Some(body) = self.buf.strip_suffix(b"\n") else {
            return Err(BundleError::MissingFinalNewline { path });
        };
        let row = parse_row(path, line, body, self.max_field, &mut self.again)?;
        Ok(Some((line, row)))
    }

    /// The exact bytes of the row [`Self::next_row`] returned last, without
    /// its newline: its canonical serialization.
    pub(crate) fn last_row_bytes(&self) -> &[u8] {
        self.buf.strip_suffix(b"\n").unwrap_or(&self.buf)
    }
}

/// The field cap: no string of the row `body` is over `max_field` bytes
/// as encoded.
pub(crate) fn check_field_cap(
    path: &'static str,
    line: u64,
    body: &[u8],
    max_field: u64,
) -> Result<(), BundleError> {
    match first_long_string(body, max_field) {
        Some(long) => Err(BundleError::FieldTooLong {
            path,
            line,
            field: long.field,
            size: long.size,
            limit: max_field,
        }),
        None => Ok(()),
    }
}

/// The reference reading of one row (its line without the newline): the
/// field cap, a serde parse with unknown fields refused, and the one-spelling
/// rule (`again` is scratch space for the row serialized again).
pub(crate) fn parse_row<T: DeserializeOwned + Serialize>(
    path: &'static str,
    line: u64,
    body: &[u8],
    max_field: u64,
    again: &mut Vec<u8>,
) -> Result<T, BundleError> {
    check_field_cap(path, line, body, max_field)?;
    let row: T = serde_json::from_slice(body).map_err(|e| BundleError::MalformedRow {
        path,
        line,
        detail: e.to_string(),
    })?;
    again.clear();
    let same = serde_json::to_writer(&mut *again, &row).is_ok() && again.as_slice() == body;
    if !same {
        return Err(BundleError::NonCanonicalRow { path, line });
    }
    Ok(row)
}

fn check_merge_hash(path: &'static str, line: u64, merge_hash: &str) -> Result<(), BundleError> {
    match is_sha256_tag(merge_hash) {
        true => Ok(()),
        false => Err(BundleError::BadMergeHash {
            path,
            line,
            value: merge_hash.to_owned(),
        }),
    }
}

fn check_id(
    path: &'static str,
    line: u64,
    id: &uuid::Uuid,
    merge_hash: &str,
) -> Result<(), BundleError> {
    let expected = canonical_id(merge_hash);
    match *id == expected {
        true => Ok(()),
        false => Err(BundleError::IdMismatch {
            path,
            line,
            id: id.to_string(),
            expected: expected.to_string(),
        }),
    }
}

/// `CVE-YYYY-NNNN…`, or another advisory id: 1–128 printable ASCII, no spaces.
pub(crate) fn is_advisory_key(key: &str) -> bool {
    let printable =
        !key.is_empty() && key.len() <= 128 && key.bytes().all(|b| b.is_ascii_graphic());
    let Some(rest) = key
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("CVE-"))
        .and(key.get(4..))
    else {
        return printable;
    };
    let digits = |s: &str, min: usize| s.len() >= min && s.bytes().all(|b| b.is_ascii_digit());
    printable
        && key.starts_with("CVE-")
        && rest
            .split_once('-')
            .is_some_and(|(year, num)| year.len() == 4 && digits(year, 4) && digits(num, 4))
}

/// A broken rule of `rules.rs` at `line` of `member`.
fn broken(member: Member, line: u64) -> impl FnOnce(RowFault) -> BundleError {
    move |fault| BundleError::Row {
        path: member.path(),
        line,
        fault,
    }
}

pub(crate) fn check_canonical(line: u64, c: &Canonical) -> Result<(), BundleError> {
    let path = Member::Canonicals.path();
    check_merge_hash(path, line, &c.merge_hash)?;
    if !is_advisory_key(&c.cve) {
        return Err(BundleError::BadCve {
            line,
            value: c.cve.clone(),
        });
    }
    check_id(path, line, &c.id, &c.merge_hash)?;
    rules::canonical(c).map_err(broken(Member::Canonicals, line))?;
    check_history(path, line, c.history.as_ref())
}

fn check_history(
    path: &'static str,
    line: u64,
    history: Option<&crate::model::History>,
) -> Result<(), BundleError> {
    match history.map(crate::model::history::check) {
        Some(Err(detail)) => Err(BundleError::BadHistory { path, line, detail }),
        _ => Ok(()),
    }
}

/// Checks an edge of the canonical whose merge hash is `expected`.
pub(crate) fn check_edge(line: u64, edge: &SourceEdge, expected: &str) -> Result<(), BundleError> {
    check_merge_hash(Member::Edges.path(), line, &edge.merge_hash)?;
    if edge.merge_hash != expected {
        return Err(BundleError::EdgeMergeHash {
            line,
            found: edge.merge_hash.clone(),
            expected: expected.to_owned(),
        });
    }
    rules::edge(edge).map_err(broken(Member::Edges, line))
}

pub(crate) fn check_deletion(line: u64, d: &Deletion) -> Result<(), BundleError> {
    let path = Member::Deletions.path();
    check_merge_hash(path, line, &d.merge_hash)?;
    check_id(path, line, &d.canonical_id, &d.merge_hash)?;
    rules::deletion(d).map_err(broken(Member::Deletions, line))?;
    check_history(path, line, d.history.as_ref())
}
