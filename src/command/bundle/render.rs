//! The text reports of `bundle export`, `validate` and `import`.
//!
//! Invariant: values that come from bundles and stores (conflicting
//! values, merge hashes) are escaped before they reach a terminal.

use std::path::Path;

use crate::import::ImportOutcome;
use crate::site::export::ExportReport;

pub fn counts_line(c: &crate::bundle::Counts) -> String {
    let n = crate::command::count::count;
    format!(
        "{}, {}, {} ({})",
        n(c.canonicals, "canonical"),
        n(c.edges, "edge"),
        n(c.deletions, "deletion"),
        n(c.total, "item")
    )
}

/// The text report of an export.
pub fn export(report: &ExportReport) -> String {
    if report.bundles.is_empty() {
        let since = crate::command::or_dash(report.since_cursor);
        return format!("no changes since {since}: no bundle written\n");
    }
    let mut text = String::new();
    for b in &report.bundles {
        text.push_str(&format!(
            "Wrote {}\n  Since: {}\n  Cursor: {}\n  Counts: {}\n  Bundle hash: {}\n  Size: {}\n  Signed: {}\n",
            b.path,
            b.since_cursor.map_or_else(|| "full export".to_owned(), |c| c.to_string()),
            b.export_cursor,
            counts_line(&b.counts),
            b.bundle_hash,
            crate::units::size(b.size),
            b.signer_key_id.as_deref().unwrap_or("no (unsigned)"),
        ));
    }
    text.push_str(&format!(
        "Export cursor: {}\n",
        crate::command::or_dash(report.export_cursor)
    ));
    text
}

/// The text report of an import of `bundle`.
pub fn import(bundle: &Path, o: &ImportOutcome, duration_ms: u128) -> String {
    let c = &o.counts;
    let mode = if o.already_imported {
        "already imported: nothing to do"
    } else if o.dry_run {
        "dry run: nothing committed"
    } else {
        "imported"
    };
    let mut text = format!(
        "Bundle {} from site {}: {mode}\n  Bundle hash: {}\n  Imported cursor: {}\n  Canonicals: {} created, {} updated, {} skipped\n  Edges added: {}\n  Deletions processed: {}\n  Conflicts: {}\n",
        bundle.display(),
        o.site_id,
        o.bundle_hash,
        o.imported_cursor,
        c.canonical_created,
        c.canonical_updated,
        c.canonical_skipped,
        c.edges_added,
        c.deletions_processed,
        c.conflicts,
    );
    if c.stale + c.echo > 0 {
        text.push_str(&format!(
            "  Already known: {} stale (older than the local version), {} echo (the local version itself)\n",
            c.stale, c.echo
        ));
    }
    if c.deletions_refused > 0 {
        text.push_str(&format!(
            "  Deletions refused: {} (the site's policy does not let this peer delete them)\n",
            c.deletions_refused
        ));
    }
    if c.canonical_filtered + c.edges_filtered > 0 {
        text.push_str(&format!(
            "  Filtered by allowed sources: {}, {}\n",
            crate::command::count::count(c.canonical_filtered, "canonical"),
            crate::command::count::count(c.edges_filtered, "edge")
        ));
    }
    let signer = match (&o.signer_key_id, o.signature_skipped) {
        (Some(key), _) => format!("verified ({key})"),
        (None, _) => "skipped".to_owned(),
    };
    text.push_str(&format!("  Signature: {signer}\n"));
    if o.forced {
        text.push_str("  Forced: cursor check overridden (recorded)\n");
    }
    text.push_str(&conflicts(&o.conflicts));
    let duration = crate::units::duration_ms(duration_ms);
    text.push_str(&format!("  Duration: {duration}\n"));
    text
}

/// The stderr notice of an import whose every canonical the site's allowed
/// sources filtered out (#27): it names the policy and how to change it.
pub fn filtered_everything(o: &ImportOutcome, allowed: &[String]) -> String {
    let site = crate::escape::terminal(&o.site_id);
    format!(
        "notice: site `{site}`'s allowed sources ({}) filtered out all {} of this bundle, so \
         nothing from it was kept: to take them, change the policy with \
         `stella feedser sites policy {site} --allowed-sources SOURCE,...` (or `all`)\n",
        allowed.join(","),
        crate::command::count::count(o.counts.canonical_filtered, "canonical"),
    )
}

/// Conflicting values come from the bundle and the store: escaped.
pub fn conflicts(conflicts: &[crate::import::Conflict]) -> String {
    let shown = crate::escape::terminal;
    conflicts
        .iter()
        .map(|c| {
            format!(
                "  conflict {} {}: local {} remote {} -> {}\n",
                shown(&c.merge_hash),
                shown(&c.field),
                shown(&c.local_value.to_string()),
                shown(&c.remote_value.to_string()),
                c.resolution.as_str()
            )
        })
        .collect()
}
