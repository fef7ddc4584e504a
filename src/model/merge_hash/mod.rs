//! The merge hash: a versioned, normalized identity of a canonical advisory.
//!
//! Two sites that see the same advisory for the same package, however the
//! source spelled it (PURL case, range event order, CWE case and order), must
//! derive the same hash, so every input is normalized first and then written
//! in one unambiguous byte form (`man/stella-merge-hash.7` is the spec):
//!
//! ```text
//! stella-merge-hash/v1\n
//! cve <len>:<CVE>\n
//! affects_key <len>:<key>\n
//! ranges <count>\n
//!   type <len>:<TYPE>\n  then  repo <len>:<url>\n  or  repo -\n
//!   events <count>\n  then per event  <kind> <len>:<value>\n
//! weaknesses <count>\n  then per CWE  cwe <len>:<CWE-n>\n
//! lineage <count>\n  then per commit  commit <len>:<hex>\n
//! ```
//!
//! `<len>` is the decimal byte length of the value, so no value can be
//! mistaken for framing. Changing any of this is a new version string.

use super::{RangeEvent, VersionRange, sha256_tagged};

pub const MERGE_HASH_VERSION: &str = "stella-merge-hash/v1";

/// Events sorted and unique within each range, ranges sorted and unique,
/// types uppercase, GIT repos without a trailing `/` or `.git`, GIT commit
/// ids lowercase.
pub fn normalize_ranges(ranges: &[VersionRange]) -> Vec<VersionRange> {
    let mut out: Vec<VersionRange> = ranges.iter().map(normalize_range).collect();
    out.sort();
    out.dedup();
    out
}

fn normalize_range(range: &VersionRange) -> VersionRange {
    let range_type = range.range_type.trim().to_ascii_uppercase();
    let git = range_type == "GIT";
    let repo = range.repo.as_deref().map(normalize_repo);
    let mut events: Vec<RangeEvent> = range
        .events
        .iter()
        .map(|e| normalize_event(e, git))
        .collect();
    events.sort();
    events.dedup();
    VersionRange {
        range_type,
        repo,
        events,
    }
}

/// Trims white space, trailing `/` and a trailing `.git` until none is left,
/// so that normalizing a normalized repo changes nothing (`a.git.git`,
/// `a.git /` and `a/.git/` all become `a`).
fn normalize_repo(repo: &str) -> String {
    let mut r = repo.trim();
    loop {
        let shorter = r.trim_end_matches('/').trim_end();
        let shorter = shorter.strip_suffix(".git").unwrap_or(shorter);
        if shorter == r {
            return r.to_owned();
        }
        r = shorter;
    }
}

fn normalize_event(event: &RangeEvent, git: bool) -> RangeEvent {
    let clean = |v: &String| {
        let v = v.trim();
        if git && is_hex(v) {
            v.to_ascii_lowercase()
        } else {
            v.to_owned()
        }
    };
    match event {
        RangeEvent::Introduced(v) => RangeEvent::Introduced(clean(v)),
        RangeEvent::Fixed(v) => RangeEvent::Fixed(clean(v)),
        RangeEvent::LastAffected(v) => RangeEvent::LastAffected(clean(v)),
        RangeEvent::Limit(v) => RangeEvent::Limit(clean(v)),
    }
}

/// `CWE-<n>` ids, trimmed and case-folded, sorted by number, unique; other strings dropped.
pub fn normalize_weaknesses(weaknesses: &[String]) -> Vec<String> {
    let mut ids: Vec<u64> = weaknesses
        .iter()
        .filter_map(|w| {
            let w = w.trim().to_ascii_uppercase();
            let digits = w.strip_prefix("CWE-")?;
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            digits.parse().ok()
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter().map(|n| format!("CWE-{n}")).collect()
}

/// Commit ids lowercased, sorted, unique; entries that are not hex dropped.
pub fn normalize_lineage(lineage: &[String]) -> Vec<String> {
    let mut out: Vec<String> = lineage
        .iter()
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| is_hex(c))
        .collect();
    out.sort();
    out.dedup();
    out
}

fn is_hex(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `sha256:<hex>` of the normalized identity; `affects_key` must already be
/// normalized (see [`super::purl::normalize`]).
pub fn compute(
    cve: &str,
    affects_key: &str,
    ranges: &[VersionRange],
    weaknesses: &[String],
    patch_lineage: &[String],
) -> String {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(MERGE_HASH_VERSION.as_bytes());
    out.push(b'\n');
    field(&mut out, "cve", cve.trim().to_ascii_uppercase().as_bytes());
    field(&mut out, "affects_key", affects_key.as_bytes());
    let ranges = normalize_ranges(ranges);
    count(&mut out, "ranges", ranges.len());
    for range in &ranges {
        field(&mut out, "type", range.range_type.as_bytes());
        match &range.repo {
            Some(repo) => field(&mut out, "repo", repo.as_bytes()),
            None => out.extend_from_slice(NO_REPO),
        }
        count(&mut out, "events", range.events.len());
        for event in &range.events {
            let (kind, value) = match event {
                RangeEvent::Introduced(v) => (EVENT_TAGS[0], v),
                RangeEvent::Fixed(v) => (EVENT_TAGS[1], v),
                RangeEvent::LastAffected(v) => (EVENT_TAGS[2], v),
                RangeEvent::Limit(v) => (EVENT_TAGS[3], v),
            };
            field(&mut out, kind, value.as_bytes());
        }
    }
    list(
        &mut out,
        "weaknesses",
        "cwe",
        &normalize_weaknesses(weaknesses),
    );
    list(
        &mut out,
        "lineage",
        "commit",
        &normalize_lineage(patch_lineage),
    );
    sha256_tagged(&out)
}

/// The tag of each event kind, in [`RangeEvent`]'s order (the order events
/// sort in).
pub const EVENT_TAGS: [&str; 4] = ["introduced", "fixed", "last_affected", "limit"];

/// The line of a range without a repo.
pub const NO_REPO: &[u8] = b"repo -\n";

/// Appends the field line `tag SP len : value LF`.
pub fn field(out: &mut Vec<u8>, tag: &str, value: &[u8]) {
    line_start(out, tag, value.len());
    out.push(b':');
    out.extend_from_slice(value);
    out.push(b'\n');
}

/// Appends the count line `tag SP n LF`.
pub fn count(out: &mut Vec<u8>, tag: &str, n: usize) {
    line_start(out, tag, n);
    out.push(b'\n');
}

/// `tag SP n`, with `n` in decimal: by hand, as the bundle reader writes
/// this for every row it checks (`format!` costs more than the hash).
fn line_start(out: &mut Vec<u8>, tag: &str, n: usize) {
    out.extend_from_slice(tag.as_bytes());
    out.push(b' ');
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    while at > 0 {
        at -= 1;
        if let Some(d) = digits.get_mut(at) {
            *d = b'0' + (rest % 10) as u8;
        }
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(digits.get(at..).unwrap_or_default());
}

fn list(out: &mut Vec<u8>, tag: &str, item_tag: &str, items: &[String]) {
    count(out, tag, items.len());
    for item in items {
        field(out, item_tag, item.as_bytes());
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod props;
