//! `feedser ingest osv`: advisories from OSV records into the store.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::command::context::Context;
use crate::error::{Error, Result};
use crate::ingest::IngestOptions;
use crate::site::now;

mod render;

/// Records listed per reason without `--verbose`.
const SHOWN: usize = 5;

#[derive(Debug, Args)]
pub struct Osv {
    /// Directory trees of .json/.ndjson files, osv.dev all.zip exports, .json or .ndjson files, or - for stdin (JSON or NDJSON)
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Delete canonicals whose records are gone from this full snapshot
    #[arg(long)]
    prune: bool,
    /// Source name for records whose id the table of sources does not know
    /// (README, Formats), e.g. acme
    #[arg(long, value_name = "NAME", value_parser = source_name)]
    source: Option<String>,
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

fn source_name(text: &str) -> std::result::Result<String, String> {
    if crate::osv::is_source_name(text) {
        return Ok(text.to_owned());
    }
    Err(format!(
        "`{}` is not a source name: use 1 to 64 lowercase letters, digits, `-` or `_`, e.g. `acme`",
        text.escape_debug()
    ))
}

impl Osv {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let stdin_count = self.paths.iter().filter(|p| p.as_os_str() == "-").count();
        if stdin_count > 0 && self.paths.len() > 1 {
            return Err(Error::Usage(
                "`-` (stdin) cannot be combined with other paths".into(),
            ));
        }
        let _lock = ctx.writer()?;
        let mut store = ctx.open_store()?;
        let opts = IngestOptions {
            prune: self.prune,
            now: now(),
            site_id: ctx.site_id()?.to_owned(),
            source: self.source,
            scratch_dir: crate::site::hooks::ingest_scratch()
                .unwrap_or_else(|| ctx.home.root().to_owned()),
        };
        crate::ingest::clear_stale_scratch(&opts.scratch_dir).map_err(Error::io(
            "cannot remove an old ingest's scratch space in",
            &opts.scratch_dir,
        ))?;
        let report = {
            let mut txn = store.begin()?;
            let mut stdin = std::io::stdin().lock();
            let records = crate::osv::read_inputs(&self.paths, &mut stdin);
            let progress = ctx.progress();
            let report = crate::ingest::ingest(txn.as_mut(), records, &opts, progress.as_ref())?;
            txn.commit()?;
            report
        };
        let keep = if ctx.verbose > 0 { usize::MAX } else { SHOWN };
        let shown = report.cut(keep);
        if self.json {
            ctx.out.json(&render::Document::new(&shown))?;
        } else {
            let refusals = render::refusals(&shown, ctx.verbose > 0);
            crate::command::logger::notice("warn", &refusals);
            ctx.out.report(&render::totals(&report))?;
        }
        if report.records_refused == 0 {
            return Ok(());
        }
        Err(Error::PartialIngest {
            failed: report.records_refused,
            read: report.records_read,
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum IngestCommand {
    /// Ingest OSV records: a directory of .json, an all.zip, a .json file, or - (stdin)
    Osv(Osv),
}

impl IngestCommand {
    pub fn run(self, ctx: &Context) -> Result<()> {
        match self {
            IngestCommand::Osv(c) => c.run(ctx),
        }
    }
}
