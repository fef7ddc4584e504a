//! OSV record → canonical records: one per (advisory key × affected package).
//!
//! The advisory keys are the record's well-formed `CVE-YYYY-NNNN…` aliases
//! (and its own id when it is one), else the record id, which must then be an
//! advisory id a peer's bundle reader accepts (1–128 printable ASCII
//! characters), or the record is refused. A package is keyed by its normalized purl,
//! else by its ecosystem and name (`purl::ecosystems`), except that a package
//! of a distribution release is always keyed by ecosystem and name; a package
//! with neither is skipped. Two
//! affected entries that normalize to the same merge hash give one canonical.
//! Every canonical carries exactly one edge: the one to this record.

use std::collections::BTreeMap;

use super::OsvError;
use super::fields::{Shared, git_fixed_commits};
use super::record::{Affected, IdOnly, OsvRecord, Range};
use crate::bundle::is_advisory_key;
use crate::model::merge_hash::{compute, normalize_lineage, normalize_ranges};
use crate::model::{
    Canonical, CanonicalRecord, RangeEvent, SourceEdge, VersionRange, canonical_id, edge_id, purl,
};

/// The canonical records of one raw OSV record, sorted by merge hash.
pub fn convert(raw: &[u8]) -> Result<Vec<CanonicalRecord>, OsvError> {
    convert_from(raw, None)
}

/// [`convert`], naming the source `source` when the table of sources does
/// not know the record's id (`ingest osv --source`).
pub fn convert_from(raw: &[u8], source: Option<&str>) -> Result<Vec<CanonicalRecord>, OsvError> {
    let record: OsvRecord = serde_json::from_slice(raw).map_err(|source| OsvError::Json {
        id: serde_json::from_slice::<IdOnly>(raw)
            .ok()
            .and_then(|r| r.id),
        source,
    })?;
    let id = match record.id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => id.to_owned(),
        _ => return Err(OsvError::MissingId),
    };
    if record.affected.is_empty() {
        return Err(OsvError::NoAffected { id });
    }
    let shared = Shared::new(&record, &id, raw, source);
    // Peers refuse bundle rows whose advisory key is malformed.
    if !shared.keys.iter().all(|key| is_advisory_key(key)) {
        return Err(OsvError::BadId { id });
    }
    let mut out: BTreeMap<String, CanonicalRecord> = BTreeMap::new();
    for affected in &record.affected {
        let Some(affects_key) = affects_key(affected) else {
            continue;
        };
        let ranges = normalize_ranges(&convert_ranges(&affected.ranges));
        let mut lineage = shared.reference_commits.clone();
        lineage.extend(git_fixed_commits(&ranges));
        let lineage = normalize_lineage(&lineage);
        for key in &shared.keys {
            let rec = canonical_record(&shared, key, &affects_key, &ranges, &lineage);
            out.entry(rec.canonical.merge_hash.clone()).or_insert(rec);
        }
    }
    if out.is_empty() {
        return Err(OsvError::NoPackage { id });
    }
    // What peers would refuse is not stored (and so never exported).
    if let Some(detail) = out.values().find_map(|r| super::fit::check(r).err()) {
        return Err(OsvError::Unexportable { id, detail });
    }
    Ok(out.into_values().collect())
}

/// A package of a distribution release is keyed from the table, whatever
/// purl it carries (the release must be in the key, and distro purls in OSV
/// data often lack it); any other by its purl when valid, else the table.
fn affects_key(affected: &Affected) -> Option<String> {
    let package = &affected.package;
    if purl::ecosystems::is_distro_release(&package.ecosystem)
        && let Some(key) = purl::from_ecosystem(&package.ecosystem, &package.name)
    {
        return Some(key);
    }
    package
        .purl
        .as_deref()
        .and_then(|p| purl::normalize(p).ok())
        .or_else(|| purl::from_ecosystem(&package.ecosystem, &package.name))
}

/// OSV ranges as model ranges; events of an unknown kind or with a
/// non-string value are dropped.
fn convert_ranges(ranges: &[Range]) -> Vec<VersionRange> {
    ranges
        .iter()
        .map(|range| VersionRange {
            range_type: range.kind.clone(),
            repo: range.repo.clone(),
            events: range
                .events
                .iter()
                .flat_map(|event| event.iter())
                .filter_map(|(kind, value)| {
                    let value = value.as_str()?.to_owned();
                    match kind.as_str() {
                        "introduced" => Some(RangeEvent::Introduced(value)),
                        "fixed" => Some(RangeEvent::Fixed(value)),
                        "last_affected" => Some(RangeEvent::LastAffected(value)),
                        "limit" => Some(RangeEvent::Limit(value)),
                        _ => None,
                    }
                })
                .collect(),
        })
        .collect()
}

fn canonical_record(
    shared: &Shared,
    key: &str,
    affects_key: &str,
    ranges: &[VersionRange],
    lineage: &[String],
) -> CanonicalRecord {
    let merge_hash = compute(key, affects_key, ranges, &shared.weaknesses, lineage);
    let id = canonical_id(&merge_hash);
    let edge = SourceEdge {
        id: edge_id(&id, &shared.source, &shared.record_id),
        canonical_id: id,
        merge_hash: merge_hash.clone(),
        source: shared.source.clone(),
        source_advisory_id: shared.record_id.clone(),
        vendor_status: shared.vendor_status.to_owned(),
        source_sha256: shared.sha256.clone(),
    };
    let canonical = Canonical {
        history: None,
        id,
        cve: key.to_owned(),
        affects_key: affects_key.to_owned(),
        merge_hash,
        status: shared.status,
        severity: shared.severity,
        title: shared.title.clone(),
        summary: shared.summary.clone(),
        cvss_vector: shared.cvss_vector.clone(),
        version_range: ranges.to_vec(),
        weaknesses: shared.weaknesses.clone(),
        patch_lineage: lineage.to_vec(),
        published: shared.published.clone(),
        modified: shared.modified.clone(),
    };
    CanonicalRecord {
        canonical,
        edges: vec![edge],
    }
}
