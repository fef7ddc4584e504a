//! `feedser bundle import`: the clap side and the report; the import itself
//! runs through [`import_bundle`], shared with the HTTP API.

use std::path::PathBuf;

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
            Ok(outcome) => ctx
                .out
                .report(&render::import(&self.bundle, outcome, duration_ms)),
            Err(error) if self.json => ctx.out.json(&Failure::new(error, duration_ms)),
            Err(ImportError::Conflicts { conflicts }) => {
                ctx.out.text(&render::conflicts(conflicts))
            }
            Err(_) => Ok(()),
        }
    }
}
