//! `feedser bundle import`: the clap side and the report; the import itself
//! runs through [`import_bundle`], shared with the HTTP API.

use std::path::PathBuf;

use clap::Args;

use crate::cli::context::Context;
use crate::cli::parse;
use crate::error::Result;
use crate::import::{ImportError, ImportOutcome};
use crate::metrics::Metrics;
use crate::model::ConflictStrategy;
use crate::site::import::{Caller, Failure, ImportRequest, Response, Source, import_bundle};
use crate::site::monitor;

#[derive(Debug, Args)]
pub struct Import {
    /// The bundle file, or - for stdin
    bundle: PathBuf,
    /// Check and plan everything, report, commit nothing
    #[arg(long)]
    dry_run: bool,
    /// Print the response as JSON
    #[arg(long)]
    json: bool,
    /// Import without checking the signature (only where the config allows it; recorded)
    #[arg(long)]
    skip_signature: bool,
    /// Import even if the cursor checks refuse the bundle (needs --reason; recorded)
    #[arg(long, requires = "reason")]
    force: bool,
    /// Why --force is needed; kept in the ledger and shown by `sites history`
    #[arg(long, value_name = "TEXT", requires = "force", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    reason: Option<String>,
    /// What to do with versions made concurrently at both sites (`newest`
    /// converges on every topology) [default: the site's policy, else
    /// FederationImport.OnConflict, else prefer_remote]
    #[arg(long, value_parser = parse::on_conflict())]
    on_conflict: Option<ConflictStrategy>,
    /// Also append the canonical-imported events of this import to an NDJSON file
    #[arg(long, value_name = "FILE")]
    events_file: Option<PathBuf>,
    /// Write this run's metrics to FILE (node_exporter textfile, replaced atomically), also on failure
    #[arg(long, value_name = "FILE")]
    metrics_file: Option<PathBuf>,
    /// After a successful import, refresh the offline OSV database in DIR (as `feedser export osv DIR`)
    #[arg(long, value_name = "DIR")]
    osv_out: Option<PathBuf>,
}

impl Import {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let request = ImportRequest {
            dry_run: self.dry_run,
            skip_signature: self.skip_signature,
            force: self.force,
            reason: self.reason.clone(),
            on_conflict: self.on_conflict,
            events_file: self.events_file.clone(),
        };
        let source = Source::Path(self.bundle.clone());
        let caller = Caller::Terminal {
            progress: ctx.progress(),
        };
        let present =
            |result: Result<&ImportOutcome, &ImportError>, ms| self.present(ctx, result, ms);
        let report = import_bundle(ctx, &request, source, caller, Box::new(present));
        let mut metrics = Metrics::default();
        report.count(&mut metrics);
        monitor::finish(self.metrics_file.as_deref(), metrics, report.result)?;
        match &self.osv_out {
            Some(dir) if !self.dry_run => crate::command::export_osv::refresh(ctx, dir, self.json),
            _ => Ok(()),
        }
    }

    /// The report on stdout: text or `--json`; a refusal's JSON document,
    /// or its conflicts as text (the error itself goes to stderr).
    fn present(
        &self,
        ctx: &Context,
        result: Result<&ImportOutcome, &ImportError>,
        duration_ms: u128,
    ) -> Result<()> {
        match result {
            Ok(outcome) if self.json => ctx.out.json(&Response {
                outcome,
                duration_ms,
            }),
            Ok(outcome) => ctx.out.text(&render(self, outcome, duration_ms)),
            Err(error) if self.json => ctx.out.json(&Failure::new(error, duration_ms)),
            Err(ImportError::Conflicts { conflicts }) => ctx.out.text(&render_conflicts(conflicts)),
            Err(_) => Ok(()),
        }
    }
}

fn render(cmd: &Import, o: &ImportOutcome, duration_ms: u128) -> String {
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
        cmd.bundle.display(),
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
            "  Filtered by allowed sources: {} canonicals, {} edges\n",
            c.canonical_filtered, c.edges_filtered
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
    text.push_str(&render_conflicts(&o.conflicts));
    text.push_str(&format!("  Duration: {duration_ms} ms\n"));
    text
}

/// Conflicting values come from the bundle and the store: escaped.
fn render_conflicts(conflicts: &[crate::import::Conflict]) -> String {
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
