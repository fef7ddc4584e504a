//! `feedser bundle import`: the clap side and the report; the import itself
//! runs through [`import_bundle`], shared with the HTTP API. One file (or
//! `-`) imports as it always did; several, a directory or a chain's stable
//! name go through `crate::site::import::batch` (see `many`): every part
//! validated first, then imported in cursor order, with one summary.

mod many;

use std::path::{Path, PathBuf};

use clap::Args;

use crate::command::context::Context;
use crate::command::parse;
use crate::error::Result;
use crate::import::{ImportError, ImportOutcome};
use crate::metrics::Metrics;
use crate::model::ConflictStrategy;
use crate::site::import::{Caller, Failure, ImportRequest, Response, Source, import_bundle};
use crate::site::monitor;

use super::render;

#[derive(Debug, Args)]
pub struct Import {
    /// The bundle file, or - for stdin; several files, or a directory (every *.zst in it), are validated together and imported in cursor order; a chain's name (NAME when NAME.0001… exist) stands for its parts
    #[arg(required = true, value_name = "BUNDLE")]
    bundles: Vec<PathBuf>,
    /// Check and plan everything, report, commit nothing
    #[arg(long)]
    dry_run: bool,
    /// Print the response as JSON
    #[arg(long)]
    json: bool,
    /// Import without checking the signature (only where the config allows it; recorded)
    #[arg(long)]
    skip_signature: bool,
    /// Import even if the cursor checks refuse the bundle (recorded, with --reason when given)
    #[arg(long)]
    force: bool,
    /// Why --force is needed; kept in the ledger and shown by `sites history` (without it the ledger says none was given)
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
        let files = crate::site::import::batch::resolve(&self.bundles)?;
        let mut metrics = Metrics::default();
        let result = match files.as_slice() {
            [one] if self.bundles.len() == 1 && !self.bundles[0].is_dir() => {
                self.import_one(ctx, one, &mut metrics)
            }
            _ => self.import_many(ctx, &files, &mut metrics),
        };
        monitor::finish(self.metrics_file.as_deref(), metrics, result)?;
        match &self.osv_out {
            Some(dir) if !self.dry_run => crate::command::export_osv::refresh(ctx, dir, self.json),
            _ => Ok(()),
        }
    }

    fn request(&self) -> ImportRequest {
        ImportRequest {
            dry_run: self.dry_run,
            skip_signature: self.skip_signature,
            force: self.force,
            reason: self.reason.clone(),
            on_conflict: self.on_conflict,
            events_file: self.events_file.clone(),
            expected_site_id: None,
        }
    }

    /// One bundle, its report printed as it ends.
    fn import_one(&self, ctx: &Context, bundle: &Path, metrics: &mut Metrics) -> Result<()> {
        let source = Source::Path(bundle.to_owned());
        let caller = Caller::Terminal {
            progress: ctx.progress(),
        };
        let present = |result: Result<&ImportOutcome, &ImportError>, ms| {
            self.present(ctx, bundle, result, ms)
        };
        let report = import_bundle(ctx, &self.request(), source, caller, Box::new(present));
        report.count(metrics);
        report.result.map(|_| ())
    }

    /// The report on stdout: text or `--json`; a refusal's JSON document,
    /// or its conflicts as text (the error itself goes to stderr).
    fn present(
        &self,
        ctx: &Context,
        bundle: &Path,
        result: Result<&ImportOutcome, &ImportError>,
        duration_ms: u128,
    ) -> Result<()> {
        if let Ok(outcome) = result
            && let Some(allowed) = &outcome.filtered_by
        {
            crate::command::logger::notice("warn", &render::filtered_everything(outcome, allowed));
        }
        match result {
            Ok(outcome) if self.json => ctx.out.json(&Response {
                outcome,
                duration_ms,
            }),
            Ok(outcome) => ctx
                .out
                .report(&render::import(bundle, outcome, duration_ms)),
            Err(error) if self.json => ctx.out.json(&Failure::new(error, duration_ms)),
            Err(ImportError::Conflicts { conflicts }) => {
                ctx.out.text(&render::conflicts(conflicts))
            }
            Err(_) => Ok(()),
        }
    }
}
