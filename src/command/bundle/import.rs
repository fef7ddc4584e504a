//! `feedser bundle import`: the clap side and the report; the import itself
//! runs through [`pipeline::run`], shared with the HTTP API.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, ValueEnum};

use crate::cli::context::Context;
use crate::error::{Error, Result};
use crate::import::{ConflictStrategy, ImportError, ImportOutcome};

use crate::metrics::Metrics;

use super::monitor;
use super::pipeline::{self, Cancelling, Failure, Response, Settings};
use super::trail::Trail;

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
    #[arg(long, value_enum)]
    on_conflict: Option<OnConflict>,
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

#[derive(Clone, Copy, Debug, ValueEnum)]
#[value(rename_all = "snake_case")]
enum OnConflict {
    PreferRemote,
    PreferLocal,
    Fail,
    Newest,
}

impl From<OnConflict> for ConflictStrategy {
    fn from(value: OnConflict) -> Self {
        match value {
            OnConflict::PreferRemote => ConflictStrategy::PreferRemote,
            OnConflict::PreferLocal => ConflictStrategy::PreferLocal,
            OnConflict::Fail => ConflictStrategy::Fail,
            OnConflict::Newest => ConflictStrategy::Newest,
        }
    }
}

impl Import {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let started = Instant::now();
        let mut trail = Trail::new(&self.bundle);
        let result = self.execute(ctx, &mut trail, started);
        let site = trail.site_id().map(str::to_owned);
        monitor::log_import(
            log::Level::Debug,
            &trail.label(),
            result.as_ref(),
            site.as_deref(),
        );
        let result = trail.audit(ctx, result);
        let mut metrics = Metrics::default();
        let seconds = started.elapsed().as_secs_f64();
        monitor::import(&mut metrics, result.as_ref(), site.as_deref(), seconds);
        monitor::finish(self.metrics_file.as_deref(), metrics, result)?;
        match &self.osv_out {
            Some(dir) if !self.dry_run => crate::command::export_osv::refresh(ctx, dir, self.json),
            _ => Ok(()),
        }
    }

    fn execute(&self, ctx: &Context, trail: &mut Trail, started: Instant) -> Result<ImportOutcome> {
        let settings = Settings {
            dry_run: self.dry_run,
            skip_signature: self.skip_signature,
            force: self.force,
            reason: self.reason.clone(),
            on_conflict: self.on_conflict.map(Into::into),
            events_file: self.events_file.clone(),
        };
        let open = || super::open_input(&self.bundle);
        let finished = pipeline::run(ctx, trail, open, &settings, Cancelling::InstallSignals)?;
        let duration_ms = started.elapsed().as_millis();
        let outcome = match finished.result {
            Ok(outcome) => outcome,
            Err(error) => match finished.interrupted {
                Some(interrupted) => return Err(interrupted),
                None => return self.fail(ctx, error, duration_ms),
            },
        };
        if self.json {
            ctx.out.json(&Response {
                outcome: &outcome,
                duration_ms,
            })?;
        } else {
            ctx.out.text(&render(self, &outcome, duration_ms))?;
        }
        Ok(outcome)
    }

    fn fail<T>(&self, ctx: &Context, error: ImportError, duration_ms: u128) -> Result<T> {
        if self.json {
            ctx.out.json(&Failure::new(&error, duration_ms))?;
        } else if let ImportError::Conflicts { conflicts } = &error {
            ctx.out.text(&render_conflicts(conflicts))?;
        }
        Err(Error::Import(error))
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
