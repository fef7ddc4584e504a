//! The counts and conflicts each decision adds to the outcome.

use crate::model::{CanonicalRecord, SourceEdge};
use crate::store::EventAction;

use super::Run;
use crate::import::plan::{Conflict, ConflictStrategy};

impl Run<'_, '_> {
    pub(super) fn conflict(
        &mut self,
        merge_hash: &str,
        fields: Vec<(String, serde_json::Value, serde_json::Value)>,
    ) -> Option<EventAction> {
        let resolution = self.header.strategy;
        // One number: a conflict is one field of one canonical, as the
        // report's `conflicts` list has them (#22).
        self.counts.conflicts += fields.len() as u64;
        self.conflicts.extend(
            fields
                .into_iter()
                .map(|(field, local_value, remote_value)| Conflict {
                    merge_hash: merge_hash.to_owned(),
                    field,
                    local_value,
                    remote_value,
                    resolution,
                }),
        );
        (resolution == ConflictStrategy::PreferRemote).then_some(EventAction::Updated)
    }

    pub(super) fn count_take(
        &mut self,
        local: Option<&CanonicalRecord>,
        remote: &CanonicalRecord,
        action: EventAction,
    ) {
        // An edge is new when its source record was not linked before.
        let old_edges = local.map(|l| l.edges.as_slice()).unwrap_or_default();
        let linked = |e: &SourceEdge| old_edges.iter().any(|o| o.same_key(e));
        let added = remote.edges.iter().filter(|e| !linked(e)).count();
        self.counts.edges_added += added as u64;
        match action {
            EventAction::Created => self.counts.canonical_created += 1,
            _ => self.counts.canonical_updated += 1,
        }
    }
}
