//! The parts of a canonical that depend on the whole OSV record rather than
//! on one affected package: keys, source, severity, text and dates.
//!
//! Severity comes from a CVSS v4 vector, else a v3 one (parsed and scored by
//! the `cvss` crate; the record's own, else its packages'), else GHSA's `database_specific.severity` words, else
//! `unknown`. Dates are RFC 3339 UTC with milliseconds; an unparseable date
//! is dropped rather than kept unnormalized. Title and summary are fitted to
//! what peers accept (`fit.rs`).

use std::collections::BTreeSet;

use super::record::{OsvRecord, SeverityEntry};
use crate::model::merge_hash::normalize_weaknesses;
use crate::model::{RangeEvent, Severity, Status, VersionRange, sha256_tagged};

const TITLE_CHARS: usize = 120;

pub(super) struct Shared {
    pub record_id: String,
    pub keys: Vec<String>,
    pub source: String,
    pub sha256: String,
    pub status: Status,
    pub vendor_status: &'static str,
    pub severity: Severity,
    pub cvss_vector: Option<String>,
    pub title: String,
    pub summary: String,
    pub weaknesses: Vec<String>,
    pub reference_commits: Vec<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
}

impl Shared {
    pub fn new(record: &OsvRecord, id: &str, raw: &[u8], source: Option<&str>) -> Self {
        let withdrawn = record
            .withdrawn
            .as_deref()
            .is_some_and(|w| !w.trim().is_empty());
        let (severity, cvss_vector) = severity(record);
        Shared {
            record_id: id.to_owned(),
            keys: advisory_keys(id, &cve_sources(record, id)),
            source: super::sources::source_named(id, source),
            sha256: sha256_tagged(raw),
            status: if withdrawn {
                Status::Withdrawn
            } else {
                Status::Active
            },
            vendor_status: if withdrawn { "withdrawn" } else { "affected" },
            severity,
            cvss_vector,
            title: super::fit::text(title(record, id)),
            summary: super::fit::text(record.details.clone().unwrap_or_default()),
            weaknesses: normalize_weaknesses(&record.database_specific.cwe_ids),
            reference_commits: reference_commits(record),
            published: record.published.as_deref().and_then(rfc3339_millis),
            modified: record.modified.as_deref().and_then(rfc3339_millis),
        }
    }
}

fn severity(record: &OsvRecord) -> (Severity, Option<String>) {
    // The record's vectors and its packages' (Bitnami puts them there), in
    // that order; any v4 vector before any v3 one.
    let entries: Vec<&SeverityEntry> = record
        .severity
        .iter()
        .chain(record.affected.iter().flat_map(|a| &a.severity))
        .collect();
    for kind in ["CVSS_V4", "CVSS_V3"] {
        for entry in entries.iter().filter(|e| e.kind.trim() == kind) {
            let vector = entry.score.trim();
            if let Ok(cvss) = vector.parse::<cvss::Cvss>() {
                return (from_cvss(cvss.severity()), Some(vector.to_owned()));
            }
        }
    }
    let words = record.database_specific.severity.as_deref().unwrap_or("");
    let severity = match words.trim().to_ascii_uppercase().as_str() {
        "CRITICAL" => Severity::Critical,
        "HIGH" => Severity::High,
        "MODERATE" | "MEDIUM" => Severity::Medium,
        "LOW" => Severity::Low,
        _ => Severity::Unknown,
    };
    (severity, None)
}

fn from_cvss(severity: cvss::Severity) -> Severity {
    match severity {
        cvss::Severity::Critical => Severity::Critical,
        cvss::Severity::High => Severity::High,
        cvss::Severity::Medium => Severity::Medium,
        cvss::Severity::Low => Severity::Low,
        cvss::Severity::None => Severity::None,
    }
}

/// The summary, else the first line of the details cut to 120 chars, else the id.
fn title(record: &OsvRecord, id: &str) -> String {
    let summary = record.summary.as_deref().map(str::trim).unwrap_or("");
    if !summary.is_empty() {
        return summary.to_owned();
    }
    let details = record.details.as_deref().unwrap_or("").trim_start();
    let first = details.lines().next().unwrap_or("").trim();
    if first.is_empty() {
        id.to_owned()
    } else {
        first.chars().take(TITLE_CHARS).collect()
    }
}

/// `2023-01-24T00:00:00.000Z`, or `None` when the text is no RFC 3339 instant.
pub(super) fn rfc3339_millis(text: &str) -> Option<String> {
    let ts: jiff::Timestamp = text.trim().parse().ok()?;
    Some(format!("{ts:.3}"))
}

/// Commit ids in FIX and WEB reference URLs of the form `…/commit/<hex>`.
fn reference_commits(record: &OsvRecord) -> Vec<String> {
    record
        .references
        .iter()
        .filter(|r| matches!(r.kind.trim(), "FIX" | "WEB"))
        .filter_map(|r| commit_in_url(&r.url))
        .collect()
}

/// The 7–40 hex digits after `/commit/`, ending the URL or followed by a
/// non-alphanumeric character (`#`, `?`, `/`, `.`).
pub(super) fn commit_in_url(url: &str) -> Option<String> {
    let (_, after) = url.rsplit_once("/commit/")?;
    let hex_len = after.bytes().take_while(u8::is_ascii_hexdigit).count();
    let next_ok = after
        .as_bytes()
        .get(hex_len)
        .is_none_or(|b| !b.is_ascii_alphanumeric());
    let hex = after.get(..hex_len)?;
    ((7..=40).contains(&hex_len) && next_ok).then(|| hex.to_ascii_lowercase())
}

/// The fixed commits of GIT ranges.
pub(super) fn git_fixed_commits(ranges: &[VersionRange]) -> Vec<String> {
    ranges
        .iter()
        .filter(|r| r.range_type == "GIT")
        .flat_map(|r| &r.events)
        .filter_map(|e| match e {
            RangeEvent::Fixed(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

/// Where a record names the CVEs it is about: `aliases`, and for a
/// distribution advisory also `upstream` and `related` (`distro.rs`).
fn cve_sources(record: &OsvRecord, id: &str) -> Vec<String> {
    let mut out = record.aliases.clone();
    if super::distro::is_distro_advisory(id) {
        out.extend(record.upstream.iter().cloned());
        out.extend(record.related.iter().cloned());
    }
    out
}

/// Advisory keys of a record: its well-formed CVE aliases (`CVE-YYYY-NNNN…`),
/// else its own id.
pub(super) fn advisory_keys(id: &str, aliases: &[String]) -> Vec<String> {
    let keys: BTreeSet<String> = aliases
        .iter()
        .map(String::as_str)
        .chain([id])
        .map(|a| a.trim().to_ascii_uppercase())
        .filter(|a| a.starts_with("CVE-") && crate::bundle::is_advisory_key(a))
        .collect();
    if keys.is_empty() {
        vec![id.to_owned()]
    } else {
        keys.into_iter().collect()
    }
}
