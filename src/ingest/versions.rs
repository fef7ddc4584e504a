//! How an ingest run writes one change: a canonical's new version with
//! the history it supersedes, an edge dropped (and the canonical deleted
//! when none is left), and the prune of records a snapshot no longer holds.
//!
//! Invariants: content that did not change makes no version; every
//! version and tombstone carries `History::next` of what it replaces.

use crate::model::{CanonicalRecord, Deletion, History, SourceEdge, Status};
use crate::store::StoreError;

use super::Run;

impl Run<'_> {
    pub(super) fn write(
        &mut self,
        old: Option<&CanonicalRecord>,
        mut new: CanonicalRecord,
    ) -> Result<(), StoreError> {
        if old.is_some_and(|old| old.same_content(&new)) {
            return Ok(());
        }
        let prev = match old {
            Some(old) => Some(self.history_of(old.canonical.history.as_ref())),
            None => self
                .txn
                .tombstone(&new.canonical.merge_hash)?
                .map(|t| t.history.unwrap_or_else(|| History::legacy(self.site))),
        };
        let modified = new.canonical.modified.as_deref();
        new.canonical.history = Some(History::next(self.site, prev.as_ref(), modified));
        self.txn.put(&new)?;
        let report = &mut self.report;
        match old {
            None => report.canonical_created += 1,
            Some(old)
                if old.canonical.status == Status::Active
                    && new.canonical.status == Status::Withdrawn =>
            {
                report.canonical_withdrawn += 1;
            }
            Some(_) => report.canonical_updated += 1,
        }
        Ok(())
    }

    /// Removes the edge of (source, id) from a canonical, deleting it when no edge is left.
    pub(super) fn drop_edge(
        &mut self,
        hash: &str,
        source: &str,
        id: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        let Some(old) = self.txn.canonical(hash)? else {
            return Ok(());
        };
        let mut rest = old.clone();
        rest.edges.retain(|e| !same_record(e, source, id));
        if !rest.edges.is_empty() {
            rest.canonical.status = status_of(&rest.edges);
            return self.write(Some(&old), rest);
        }
        let prev = self.history_of(old.canonical.history.as_ref());
        let deletion = Deletion {
            canonical_id: old.canonical.id,
            merge_hash: old.canonical.merge_hash.clone(),
            deleted_at: self.now.to_owned(),
            reason: reason.to_owned(),
            history: Some(History::next(self.site, Some(&prev), None)),
        };
        if self.txn.delete(&deletion)?.is_some() {
            match reason {
                "pruned" => self.report.canonical_pruned += 1,
                _ => self.report.canonical_deleted += 1,
            }
        }
        Ok(())
    }

    pub(super) fn prune(&mut self) -> Result<(), StoreError> {
        if self.anonymous_failure {
            self.report.prune_skipped = true;
            return Ok(());
        }
        for (source, id) in self.txn.source_records()? {
            if !self.sources.contains(&source) || self.seen.contains(&(source.clone(), id.clone()))
            {
                continue;
            }
            for (hash, _) in self.txn.source_record(&source, &id)? {
                self.drop_edge(&hash, &source, &id, "pruned")?;
            }
        }
        Ok(())
    }
}

impl Run<'_> {
    /// A stored version's history; one stored before histories existed
    /// counts as this site's first version.
    fn history_of(&self, stored: Option<&History>) -> History {
        stored
            .cloned()
            .unwrap_or_else(|| History::legacy(self.site))
    }
}

pub(super) fn same_record(edge: &SourceEdge, source: &str, id: &str) -> bool {
    edge.source == source && edge.source_advisory_id == id
}

/// `withdrawn` iff every edge is.
pub(super) fn status_of(edges: &[SourceEdge]) -> Status {
    if !edges.is_empty() && edges.iter().all(|e| e.vendor_status == "withdrawn") {
        Status::Withdrawn
    } else {
        Status::Active
    }
}
