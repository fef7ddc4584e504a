//! The record fields that are a rule of their own: the severity and the
//! title ingest would derive; each the inverse of what `osv::fields` reads.
//! (The fix commits as references are `record::references`.)

use super::record::SeverityOut;
use crate::model::Severity;

/// The title ingest derives from a record without `summary` (see
/// `osv::fields`): the details' first line cut to 120 characters, else the
/// id. Such a title is left to be derived again, not written as `summary`,
/// since a cut may end in a space that a summary would lose.
pub(super) fn derived_title(details: &str, id: &str) -> String {
    let first = details.trim_start().lines().next().unwrap_or("").trim();
    if first.is_empty() {
        id.to_owned()
    } else {
        first.chars().take(120).collect()
    }
}

pub(super) fn severity(vector: Option<&str>) -> Vec<SeverityOut<'_>> {
    let Some(vector) = vector else {
        return Vec::new();
    };
    let kind = if vector.starts_with("CVSS:4") {
        "CVSS_V4"
    } else if vector.starts_with("CVSS:3") {
        "CVSS_V3"
    } else {
        "CVSS_V2"
    };
    vec![SeverityOut {
        kind,
        score: vector,
    }]
}

/// GHSA's severity words, which ingest reads back when there is no vector.
pub(super) fn words(severity: Severity) -> Option<&'static str> {
    match severity {
        Severity::Critical => Some("CRITICAL"),
        Severity::High => Some("HIGH"),
        Severity::Medium => Some("MODERATE"),
        Severity::Low => Some("LOW"),
        Severity::None | Severity::Unknown => None,
    }
}
