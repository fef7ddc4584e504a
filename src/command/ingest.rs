//! `feedser ingest osv`: advisories from OSV records into the store.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::command::context::Context;
use crate::error::{Error, Result};
use crate::ingest::{IngestOptions, IngestReport};
use crate::site::now;

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
        };
        let report = {
            let mut txn = store.begin()?;
            let mut stdin = std::io::stdin().lock();
            let records = crate::osv::read_inputs(&self.paths, &mut stdin);
            let progress = ctx.progress();
            let report = crate::ingest::ingest(txn.as_mut(), records, &opts, progress.as_ref())?;
            txn.commit()?;
            report
        };
        // Origins, ids and messages come from the records: escaped.
        let shown = crate::escape::terminal;
        for failure in &report.failures {
            let id = failure
                .id
                .as_deref()
                .map(|id| format!(" ({})", shown(id)))
                .unwrap_or_default();
            eprintln!(
                "stella: skipped `{}`{id}: {}",
                shown(&failure.origin),
                shown(&failure.message)
            );
        }
        if self.json {
            ctx.out.json(&report)?;
        } else {
            ctx.out.text(&render(&report))?;
        }
        if report.failures.is_empty() {
            return Ok(());
        }
        Err(Error::PartialIngest {
            failed: report.failures.len(),
            read: report.records_read,
        })
    }
}

fn render(r: &IngestReport) -> String {
    let changed = r.canonical_created
        + r.canonical_updated
        + r.canonical_withdrawn
        + r.canonical_deleted
        + r.canonical_pruned;
    let mut text = format!(
        "Read {}: {} unchanged, {} failed\nCanonicals: {} created, {} updated, {} withdrawn, {} deleted (superseded), {} pruned\n",
        crate::command::count::count(r.records_read, "record"),
        r.records_unchanged,
        r.failures.len(),
        r.canonical_created,
        r.canonical_updated,
        r.canonical_withdrawn,
        r.canonical_deleted,
        r.canonical_pruned,
    );
    if changed == 0 {
        text.push_str("No changes: the store already holds this data.\n");
    }
    text
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
