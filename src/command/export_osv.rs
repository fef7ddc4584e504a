//! `feedser export osv DIR`: the site's advisories as an offline OSV
//! database (see [`crate::osv_out`]); the report goes to stdout.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::command::context::Context;
use crate::command::parse;
use crate::cursor::Cursor;
use crate::error::Result;
use crate::osv_out::Report;

#[derive(Debug, Args)]
pub struct ExportOsv {
    /// The database directory (created if missing); its files are replaced atomically
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Write only the advisories changed after this cursor (any point, such as 2025-01-14T00:00:00Z#0000), as <Ecosystem>/<ID>.json and modified_id.csv
    #[arg(long, value_name = "CURSOR", value_parser = parse::cursor)]
    since: Option<Cursor>,
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

impl ExportOsv {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let report = write(ctx, &self.dir, self.since)?;
        if self.json {
            ctx.out.json(&report)
        } else {
            ctx.out.report(&render(&report))
        }
    }
}

/// Exports into `dir` and warns on stderr of the advisories left out.
pub fn write(ctx: &Context, dir: &std::path::Path, since: Option<Cursor>) -> Result<Report> {
    let store = ctx.open_store()?;
    let report = crate::osv_out::export(store.as_ref(), dir, since)?;
    for id in &report.skipped {
        crate::command::logger::notice(
            "warn",
            &format!(
                "stella: warning: advisory `{}` left out of the OSV export: its id is no safe file name\n",
                id.escape_debug()
            ),
        );
    }
    Ok(report)
}

/// `bundle import --osv-out DIR`: the full export after an import, its
/// summary on stdout unless the import printed JSON there.
pub fn refresh(ctx: &Context, dir: &std::path::Path, json: bool) -> Result<()> {
    let report = write(ctx, dir, None)?;
    match json {
        true => Ok(()),
        false => ctx.out.report(&render(&report)),
    }
}

fn render(r: &Report) -> String {
    let cursor = crate::command::or_dash(r.export_cursor);
    let mut text = format!(
        "OSV database {}: {} ({} withdrawn) in {}\n  Export cursor: {cursor}\n",
        r.dir.display(),
        crate::command::count::count(r.counts.records, "record"),
        r.counts.withdrawn,
        crate::command::count::count(r.ecosystems.len() as u64, "ecosystem"),
    );
    if let Some(since) = r.since_cursor {
        text.push_str(&format!("  Since: {since} (changed records only)\n"));
    }
    if !r.ecosystems.is_empty() {
        text.push_str(&format!("  Ecosystems: {}\n", r.ecosystems.join(", ")));
    }
    text
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write an offline OSV database (osv.dev's all.zip layout) into DIR
    Osv(ExportOsv),
}

impl ExportCommand {
    pub fn run(self, ctx: &Context) -> Result<()> {
        match self {
            ExportCommand::Osv(c) => c.run(ctx),
        }
    }
}
