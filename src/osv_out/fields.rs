//! The record fields that are a rule of their own: the severity, the
//! title ingest would derive, and the fix commits as references; each the
//! inverse of what `osv::fields` reads.

use std::collections::BTreeSet;

use super::record::{Reference, SeverityOut};
use crate::model::{Canonical, RangeEvent, Severity};

/// Host of reference URLs whose repository is unknown: `.invalid` never
/// resolves (RFC 2606), yet keeps the `/commit/<hex>` a reader takes the
/// fix commit from.
const UNKNOWN_REPO: &str = "https://unknown.invalid";

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

/// The patch lineage that the ranges do not already give (GIT fixed
/// events): FIX references `<repo>/commit/<hex>`, which ingest reads back.
pub(super) fn references(canonicals: &[&Canonical]) -> Vec<Reference> {
    let mut commits = BTreeSet::new();
    let mut repo = None;
    for c in canonicals {
        let git = c.version_range.iter().filter(|r| r.range_type == "GIT");
        let fixed: BTreeSet<&str> = git
            .clone()
            .flat_map(|r| &r.events)
            .filter_map(|e| match e {
                RangeEvent::Fixed(commit) => Some(commit.as_str()),
                _ => None,
            })
            .collect();
        repo = repo.or_else(|| git.filter_map(|r| r.repo.as_deref()).next());
        commits.extend(
            c.patch_lineage
                .iter()
                .map(String::as_str)
                .filter(|commit| !fixed.contains(commit)),
        );
    }
    let base = repo.unwrap_or(UNKNOWN_REPO).trim_end_matches('/');
    commits
        .into_iter()
        .map(|commit| Reference {
            kind: "FIX",
            url: format!("{base}/commit/{commit}"),
        })
        .collect()
}
