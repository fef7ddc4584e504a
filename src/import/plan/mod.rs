//! The three-way merge of one remote canonical against local state.
//!
//! Per (site, merge_hash) the store remembers the digest of what was last
//! taken from that site: the merge base. Remote equal to local → skip;
//! local unchanged since the base → take the remote; remote unchanged since
//! the base → keep local; otherwise both changed (or we never took it and
//! they differ): a conflict, one entry per differing field, settled by the
//! strategy.

use serde::Serialize;
use serde_json::Value;

use crate::model::CanonicalRecord;

pub use crate::model::ConflictStrategy;

/// One differing field of a conflicting canonical.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Conflict {
    pub merge_hash: String,
    pub field: String,
    pub local_value: Value,
    pub remote_value: Value,
    pub resolution: ConflictStrategy,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    Create,
    Update,
    /// Nothing to write: equal, or the remote has not moved since we took it.
    Skip,
    /// Both sides changed; the fields that differ, as (field, local, remote).
    Conflict(Vec<(String, Value, Value)>),
}

pub fn decide(
    local: Option<&CanonicalRecord>,
    base: Option<&str>,
    remote: &CanonicalRecord,
    remote_digest: &str,
) -> Decision {
    let Some(local) = local else {
        return Decision::Create;
    };
    let local_digest = local.digest();
    if local_digest == remote_digest {
        return Decision::Skip;
    }
    match base {
        Some(base) if base == local_digest => Decision::Update,
        Some(base) if base == remote_digest => Decision::Skip,
        _ => Decision::Conflict(field_diffs(local, remote)),
    }
}

/// Canonical fields compared by their JSON form, plus `edges` as a whole.
pub fn field_diffs(
    local: &CanonicalRecord,
    remote: &CanonicalRecord,
) -> Vec<(String, Value, Value)> {
    let as_map = |r: &CanonicalRecord| match serde_json::to_value(&r.canonical) {
        Ok(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let (mut l, mut r) = (as_map(local), as_map(remote));
    // Histories are not content: they never differ "as a field".
    l.remove("history");
    r.remove("history");
    let mut diffs: Vec<(String, Value, Value)> = l
        .iter()
        .filter_map(|(field, lv)| {
            let rv = r.get(field).cloned().unwrap_or(Value::Null);
            (lv != &rv).then(|| (field.clone(), lv.clone(), rv))
        })
        .collect();
    if local.edges != remote.edges {
        let ids = |r: &CanonicalRecord| {
            Value::from(
                r.edges
                    .iter()
                    .map(|e| format!("{}:{}:{}", e.source, e.source_advisory_id, e.source_sha256))
                    .collect::<Vec<_>>(),
            )
        };
        diffs.push(("edges".into(), ids(local), ids(remote)));
    }
    diffs
}

#[cfg(test)]
mod tests;

pub mod causal;
