//! Lenient serde shapes of an OSV 1.x record.
//!
//! Only the fields stella uses are modeled; unknown fields are ignored and
//! open vocabularies (ecosystem, range and severity types) stay strings, so a
//! new ecosystem or severity type never rejects a record. `null` is read as
//! absent everywhere. `id` is optional here so that its absence is reported as
//! a clear error by the converter rather than as a serde message.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct OsvRecord {
    #[serde(default, deserialize_with = "nullable")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub modified: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub published: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub withdrawn: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub aliases: Vec<String>,
    /// Read for distribution advisories only (`distro.rs`).
    #[serde(default, deserialize_with = "nullable")]
    pub upstream: Vec<String>,
    /// Read for distribution advisories only (`distro.rs`).
    #[serde(default, deserialize_with = "nullable")]
    pub related: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub details: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub severity: Vec<SeverityEntry>,
    #[serde(default, deserialize_with = "nullable")]
    pub affected: Vec<Affected>,
    #[serde(default, deserialize_with = "nullable")]
    pub references: Vec<Reference>,
    #[serde(default, deserialize_with = "nullable")]
    pub database_specific: DatabaseSpecific,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SeverityEntry {
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub kind: String,
    #[serde(default, deserialize_with = "nullable")]
    pub score: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Affected {
    #[serde(default, deserialize_with = "nullable")]
    pub package: Package,
    #[serde(default, deserialize_with = "nullable")]
    pub ranges: Vec<Range>,
    /// Per-package severity (Bitnami); read when the record has none.
    #[serde(default, deserialize_with = "nullable")]
    pub severity: Vec<SeverityEntry>,
    /// Read for completeness; the canonical model carries ranges only.
    #[serde(default, deserialize_with = "nullable")]
    #[allow(dead_code)]
    pub versions: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Package {
    #[serde(default, deserialize_with = "nullable")]
    pub ecosystem: String,
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub purl: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Range {
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub kind: String,
    #[serde(default, deserialize_with = "nullable")]
    pub repo: Option<String>,
    /// Each event is a one-key object such as `{"fixed": "1.2"}`.
    #[serde(default, deserialize_with = "nullable")]
    pub events: Vec<BTreeMap<String, serde_json::Value>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Reference {
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub kind: String,
    #[serde(default, deserialize_with = "nullable")]
    pub url: String,
}

/// GHSA-style `database_specific`: `severity` words and `cwe_ids`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DatabaseSpecific {
    #[serde(default, deserialize_with = "nullable")]
    pub severity: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub cwe_ids: Vec<String>,
}

/// The id alone, to name a record whose full shape did not parse.
#[derive(Debug, Deserialize)]
pub(crate) struct IdOnly {
    pub id: Option<String>,
}

fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
