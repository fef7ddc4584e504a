//! Canonicals → OSV 1.6 records: one record per upstream advisory id.
//!
//! A record gathers every live canonical with an edge to that advisory id
//! (a canonical with no edge is its own record, under its key). The
//! record-wide fields (text, severity, weaknesses, dates, withdrawal) come
//! from its primary canonical: the first, in merge-hash order, whose only
//! edge is this record, else the first. Ingesting the record again gives
//! back the canonicals' keys, packages, ranges, weaknesses and patch
//! lineage, hence their merge hashes (`man/stella-export-osv.5` lists what
//! does not survive). The serialization is a fixed struct in a fixed
//! order: the same canonicals always give the same bytes.

use std::collections::BTreeSet;

use serde::Serialize;

use super::ecosystem::{directory_of, package_of};
use super::fields::{derived_title, references, severity, words};
use crate::cursor::Cursor;
use crate::model::{Canonical, CanonicalRecord, RangeEvent, Status, VersionRange};

/// The OSV schema version the export writes.
pub const SCHEMA_VERSION: &str = "1.6.0";

/// One record ready to write.
pub struct Built {
    pub id: String,
    /// The ecosystems of its packages, sorted, unique.
    pub ecosystems: Vec<String>,
    pub modified: String,
    pub json: Vec<u8>,
}

#[derive(Serialize)]
struct Osv<'a> {
    schema_version: &'static str,
    id: &'a str,
    modified: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    withdrawn: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    #[serde(skip_serializing_if = "str::is_empty")]
    details: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    severity: Vec<SeverityOut<'a>>,
    affected: Vec<Affected<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<Reference>,
    #[serde(skip_serializing_if = "DatabaseSpecific::is_empty")]
    database_specific: DatabaseSpecific<'a>,
}

#[derive(Serialize)]
pub(super) struct SeverityOut<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub score: &'a str,
}

#[derive(Serialize)]
struct Affected<'a> {
    package: Package<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ranges: Vec<RangeOut<'a>>,
}

#[derive(Serialize)]
struct Package<'a> {
    ecosystem: String,
    name: String,
    purl: &'a str,
}

#[derive(Serialize)]
struct RangeOut<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    repo: Option<&'a str>,
    events: &'a [RangeEvent],
}

#[derive(Serialize)]
pub(super) struct Reference {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub url: String,
}

#[derive(Serialize)]
struct DatabaseSpecific<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    severity: Option<&'static str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    cwe_ids: &'a [String],
}

impl DatabaseSpecific<'_> {
    fn is_empty(&self) -> bool {
        self.severity.is_none() && self.cwe_ids.is_empty()
    }
}

/// The record of advisory `id` from its canonicals (in merge-hash order,
/// each with the cursor of its last change).
pub fn build(id: &str, members: &[&(Cursor, CanonicalRecord)]) -> Built {
    let primary = primary(id, members);
    let c = &primary.1.canonical;
    let fallback = format!("{:.3}", primary.0.timestamp());
    let modified = c.modified.as_deref().unwrap_or(&fallback);
    let canonicals: Vec<&Canonical> = members.iter().map(|m| &m.1.canonical).collect();
    let affected = affected(&canonicals);
    let ecosystems: BTreeSet<String> = affected
        .iter()
        .map(|a| directory_of(&a.package.ecosystem).to_owned())
        .collect();
    let record = Osv {
        schema_version: SCHEMA_VERSION,
        id,
        modified,
        published: c.published.as_deref(),
        withdrawn: (c.status == Status::Withdrawn).then_some(modified),
        aliases: aliases(id, &canonicals),
        summary: (c.title != derived_title(&c.summary, id)).then_some(c.title.as_str()),
        details: &c.summary,
        severity: severity(c.cvss_vector.as_deref()),
        affected,
        references: references(&canonicals),
        database_specific: DatabaseSpecific {
            severity: c.cvss_vector.is_none().then(|| words(c.severity)).flatten(),
            cwe_ids: &c.weaknesses,
        },
    };
    Built {
        id: id.to_owned(),
        ecosystems: ecosystems.into_iter().collect(),
        modified: modified.to_owned(),
        json: serde_json::to_vec(&record).expect("OSV records always serialize"),
    }
}

fn primary<'a>(
    id: &str,
    members: &[&'a (Cursor, CanonicalRecord)],
) -> &'a (Cursor, CanonicalRecord) {
    let own = |m: &&&(Cursor, CanonicalRecord)| match m.1.edges.as_slice() {
        [only] => only.source_advisory_id == id,
        _ => false,
    };
    members.iter().find(own).unwrap_or(&members[0])
}

/// The CVE keys of the canonicals (the advisory keys ingest derives).
fn aliases<'a>(id: &str, canonicals: &[&'a Canonical]) -> Vec<&'a str> {
    let keys: BTreeSet<&str> = canonicals
        .iter()
        .map(|c| c.cve.as_str())
        .filter(|key| *key != id && key.starts_with("CVE-"))
        .collect();
    keys.into_iter().collect()
}

/// One entry per distinct (package, ranges), in purl order.
fn affected<'a>(canonicals: &[&'a Canonical]) -> Vec<Affected<'a>> {
    let mut sorted: Vec<&Canonical> = canonicals.to_vec();
    sorted.sort_by(|a, b| a.affects_key.cmp(&b.affects_key));
    let mut seen: BTreeSet<(&str, &[VersionRange])> = BTreeSet::new();
    let mut out: Vec<Affected> = Vec::new();
    for c in sorted {
        if !seen.insert((&c.affects_key, &c.version_range)) {
            continue;
        }
        let (ecosystem, name) = package_of(&c.affects_key);
        let entry = Affected {
            package: Package {
                ecosystem,
                name,
                purl: &c.affects_key,
            },
            ranges: c.version_range.iter().map(range).collect(),
        };
        out.push(entry);
    }
    out
}

fn range(r: &VersionRange) -> RangeOut<'_> {
    RangeOut {
        kind: &r.range_type,
        repo: r.repo.as_deref(),
        events: &r.events,
    }
}
