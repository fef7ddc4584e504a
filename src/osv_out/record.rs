//! OSV 1.6 records: one record per upstream advisory id, put together
//! from the [`Part`]s of its canonicals.
//!
//! A record gathers every live canonical with an edge to that advisory id
//! (a canonical with no edge is its own record, under its key). The
//! record-wide fields (text, severity, weaknesses, dates, withdrawal) come
//! from its primary canonical: the first, in merge-hash order, whose only
//! edge is this record, else the first. Ingesting the record again gives
//! back the canonicals' keys, packages, ranges, weaknesses and patch
//! lineage, hence their merge hashes (`man/stella-export-osv.5` lists what
//! does not survive). The record is written field by field in a fixed
//! order from fragments the serde structs below serialized once per
//! canonical: the same canonicals always give the same bytes.

use std::collections::BTreeSet;

use serde::Serialize;

use super::part::{Part, Summary};
use crate::model::{RangeEvent, VersionRange};

/// The OSV schema version the export writes.
pub const SCHEMA_VERSION: &str = "1.6.0";

/// One record ready to write.
pub struct Built {
    pub id: String,
    /// The ecosystems of its packages, sorted, unique.
    pub ecosystems: Vec<String>,
    pub modified: String,
    /// Whether a canonical of it is withdrawn.
    pub withdrawn: bool,
    pub json: Vec<u8>,
}

#[derive(Serialize)]
pub(super) struct SeverityOut<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub score: &'a str,
}

#[derive(Serialize)]
pub(super) struct Affected<'a> {
    pub package: Package<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<RangeOut<'a>>,
}

#[derive(Serialize)]
pub(super) struct Package<'a> {
    pub ecosystem: String,
    pub name: String,
    pub purl: &'a str,
}

#[derive(Serialize)]
pub(super) struct RangeOut<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    repo: Option<&'a str>,
    events: &'a [RangeEvent],
}

impl RangeOut<'_> {
    pub fn of(r: &VersionRange) -> RangeOut<'_> {
        RangeOut {
            kind: &r.range_type,
            repo: r.repo.as_deref(),
            events: &r.events,
        }
    }
}

#[derive(Serialize)]
pub(super) struct DatabaseSpecific<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<&'static str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub cwe_ids: &'a [String],
}

impl DatabaseSpecific<'_> {
    pub fn is_empty(&self) -> bool {
        self.severity.is_none() && self.cwe_ids.is_empty()
    }
}

/// The record of advisory `id` from its canonicals' parts (in merge-hash
/// order).
pub fn build(id: &str, parts: &[Part]) -> Built {
    let p = primary(id, parts);
    let mut id_json = Vec::with_capacity(id.len() + 2);
    string(&mut id_json, id);
    // Sized from the fragments it copies: a fixed 1 KiB is a "large" request
    // to the allocator, which then sweeps its free lists on every record.
    let fragments: usize = parts.iter().map(|p| p.affected.len()).sum();
    let mut out = Vec::with_capacity(fragments + p.details.len() + p.title.len() + 192);
    out.extend_from_slice(b"{\"schema_version\":\"");
    out.extend_from_slice(SCHEMA_VERSION.as_bytes());
    out.extend_from_slice(b"\",\"id\":");
    out.extend_from_slice(&id_json);
    out.extend_from_slice(b",\"modified\":");
    string(&mut out, p.modified);
    field(&mut out, "published", p.published);
    if p.withdrawn {
        out.extend_from_slice(b",\"withdrawn\":");
        string(&mut out, p.modified);
    }
    aliases(&mut out, id, parts);
    let summary = match p.summary {
        Summary::Never => false,
        Summary::Always => true,
        Summary::UnlessId => p.title != id_json.as_slice(),
    };
    if summary {
        field(&mut out, "summary", p.title);
    }
    field(&mut out, "details", p.details);
    field(&mut out, "severity", p.severity);
    out.extend_from_slice(b",\"affected\":");
    affected(&mut out, parts);
    references(&mut out, parts);
    field(&mut out, "database_specific", p.database_specific);
    out.push(b'}');
    let ecosystems: BTreeSet<&str> = parts.iter().map(|p| p.directory).collect();
    Built {
        id: id.to_owned(),
        ecosystems: ecosystems.into_iter().map(str::to_owned).collect(),
        modified: p.modified.to_owned(),
        withdrawn: parts.iter().any(|p| p.withdrawn),
        json: out,
    }
}

fn primary<'p, 'a>(id: &str, parts: &'p [Part<'a>]) -> &'p Part<'a> {
    parts
        .iter()
        .find(|p| p.sole_id == Some(id))
        .unwrap_or(&parts[0])
}

/// `s` as a JSON string.
fn string(out: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(out, s).expect("a string serializes");
}

/// `,"name":value` unless `value` (serialized JSON) is empty.
fn field(out: &mut Vec<u8>, name: &str, value: &[u8]) {
    if value.is_empty() {
        return;
    }
    out.extend_from_slice(b",\"");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
    out.extend_from_slice(value);
}

/// A JSON array of `items`, each written by `item`.
fn array<T>(out: &mut Vec<u8>, items: impl IntoIterator<Item = T>, item: impl Fn(&mut Vec<u8>, T)) {
    out.push(b'[');
    for (i, x) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        item(out, x);
    }
    out.push(b']');
}

/// The CVE keys of the canonicals (the advisory keys ingest derives).
fn aliases(out: &mut Vec<u8>, id: &str, parts: &[Part]) {
    let keys: BTreeSet<&str> = parts
        .iter()
        .map(|p| p.cve)
        .filter(|key| *key != id && key.starts_with("CVE-"))
        .collect();
    if !keys.is_empty() {
        out.extend_from_slice(b",\"aliases\":");
        array(out, keys, string);
    }
}

/// One entry per distinct (package, ranges), in purl order.
fn affected(out: &mut Vec<u8>, parts: &[Part]) {
    let mut sorted: Vec<&Part> = parts.iter().collect();
    sorted.sort_by(|a, b| a.affects_key.cmp(b.affects_key));
    let mut seen: BTreeSet<&[u8]> = BTreeSet::new();
    let distinct = sorted.into_iter().filter(|p| seen.insert(p.affected));
    array(out, distinct, |out, p| out.extend_from_slice(p.affected));
}

/// The patch lineage that the ranges do not already give (GIT fixed
/// events): FIX references `<repo>/commit/<hex>`, which ingest reads back.
fn references(out: &mut Vec<u8>, parts: &[Part]) {
    let commits: BTreeSet<&str> = parts
        .iter()
        .flat_map(|p| p.commits.iter().copied())
        .collect();
    if commits.is_empty() {
        return;
    }
    let repo = parts.iter().find_map(|p| p.git_repo);
    let base = repo.unwrap_or(UNKNOWN_REPO).trim_end_matches('/');
    out.extend_from_slice(b",\"references\":");
    array(out, commits, |out, commit| {
        out.extend_from_slice(b"{\"type\":\"FIX\",\"url\":");
        string(out, &format!("{base}/commit/{commit}"));
        out.push(b'}');
    });
}

/// Host of reference URLs whose repository is unknown: `.invalid` never
/// resolves (RFC 2606), yet keeps the `/commit/<hex>` a reader takes the
/// fix commit from.
const UNKNOWN_REPO: &str = "https://unknown.invalid";
