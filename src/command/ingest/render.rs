//! The text an ingest run prints: its totals on stdout, and its refused
//! records grouped by reason on stderr.
//!
//! Invariants: ids, origins and messages come from the records and are
//! escaped for the terminal; a number is followed by the singular or
//! plural of its noun as it asks.

use crate::command::count::count;
use crate::escape::terminal as shown;
use crate::ingest::{IngestReport, Refusals};

/// The totals, and a last line when the run changed nothing.
pub fn totals(r: &IngestReport) -> String {
    let mut text = format!(
        "Read {}: {} ingested, {} unchanged, {} refused\n\
         Canonicals: {} created, {} updated, {} withdrawn, {} deleted (superseded), {} pruned\n",
        count(r.records_read, "record"),
        r.records_ingested,
        r.records_unchanged,
        r.records_refused,
        r.canonical_created,
        r.canonical_updated,
        r.canonical_withdrawn,
        r.canonical_deleted,
        r.canonical_pruned,
    );
    if r.prune_skipped {
        text.push_str(
            "Prune skipped: a refused record has no id, so it may be one the snapshot still holds.\n",
        );
    }
    if r.records_read == 0 {
        text.push_str("Nothing was ingested: the input holds no records.\n");
    } else if r.records_refused == r.records_read {
        text.push_str("Nothing was ingested: every record was refused.\n");
    } else if r.changed() == 0 && r.records_refused == 0 {
        text.push_str("No changes: the store already holds this data.\n");
    }
    text
}

/// One block per reason: the count, the records listed (each with where
/// it came from and what is particular to it, or with `verbose` its whole
/// message), and how many more there are.
pub fn refusals(r: &IngestReport, verbose: bool) -> String {
    let mut text = String::new();
    for group in &r.refusals {
        text.push_str(&block(group, verbose));
    }
    text
}

fn block(group: &Refusals, verbose: bool) -> String {
    let mut text = format!(
        "stella: refused {}: {}\n",
        count(group.count, "record"),
        group.reason
    );
    for failure in &group.records {
        let id = match &failure.id {
            Some(id) => shown(id).into_owned(),
            None => "a record".to_owned(),
        };
        text.push_str(&format!("  {id} in `{}`", shown(&failure.origin)));
        match (&failure.detail, verbose) {
            (_, true) => text.push_str(&format!(": {}", shown(&failure.message))),
            (Some(detail), false) => text.push_str(&format!(" ({})", shown(detail))),
            (None, false) => {}
        }
        text.push('\n');
    }
    let more = group.count - group.records.len() as u64;
    if more > 0 {
        text.push_str(&format!("  and {more} more: --verbose lists them all\n"));
    }
    text
}

/// The `--json` document: the counts nested under `counts`, as every
/// report nests them (`man/stella-json.7`).
#[derive(serde::Serialize)]
pub struct Document<'a> {
    counts: Counts,
    prune_skipped: bool,
    refusals: &'a [Refusals],
}

#[derive(serde::Serialize)]
struct Counts {
    records_read: u64,
    records_ingested: u64,
    records_unchanged: u64,
    records_refused: u64,
    canonical_created: u64,
    canonical_updated: u64,
    canonical_withdrawn: u64,
    canonical_deleted: u64,
    canonical_pruned: u64,
}

impl<'a> Document<'a> {
    pub fn new(r: &'a IngestReport) -> Document<'a> {
        Document {
            counts: Counts {
                records_read: r.records_read,
                records_ingested: r.records_ingested,
                records_unchanged: r.records_unchanged,
                records_refused: r.records_refused,
                canonical_created: r.canonical_created,
                canonical_updated: r.canonical_updated,
                canonical_withdrawn: r.canonical_withdrawn,
                canonical_deleted: r.canonical_deleted,
                canonical_pruned: r.canonical_pruned,
            },
            prune_skipped: r.prune_skipped,
            refusals: &r.refusals,
        }
    }
}
