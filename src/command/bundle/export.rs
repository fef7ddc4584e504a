//! `feedser bundle export`: the delta since a cursor (or everything) as one
//! bundle, or a chain of bundles when it is over `--max-items` or
//! `--max-bytes`, to files or to stdout, through
//! `site::export::export_bundle`. The report goes to stdout only when the
//! bundle does not, else to stderr.

use std::path::PathBuf;

use clap::Args;

use crate::command::context::Context;
use crate::command::parse;
use crate::cursor::Cursor;
use crate::error::Result;
use crate::exit::Exit;
use crate::metrics::Metrics;
use crate::site::export::{ExportReport, ExportRequest, Signing, export_bundle};
use crate::site::monitor;

use super::render;

#[derive(Debug, Args)]
pub struct Export {
    /// Export only changes after this cursor: a peer's last imported cursor, or any point such as 2025-01-14T00:00:00Z#0000; full when absent
    #[arg(short = 'c', long = "cursor", value_name = "CURSOR", value_parser = parse::cursor)]
    since: Option<Cursor>,
    /// Export for this peer: leave out versions that came from it, and
    /// start after what was last sent to it (when -c is absent); remembers
    /// what it sent, for one-way links where no cursor comes back
    #[arg(long = "for", value_name = "SITE", value_parser = parse::site_id)]
    for_site: Option<String>,
    /// Output file, or - for stdout [default: <site>-<cursor>.tar.zst]
    #[arg(short, long, value_name = "FILE|-")]
    output: Option<PathBuf>,
    /// Items per bundle before the delta is cut into a chain [default: Federation.DefaultMaxItems]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_items: Option<u64>,
    /// No bundle file over SIZE (e.g. 4G, 100MB, or bytes): the delta is cut into a chain of parts under it; with --max-items, a part ends at whichever limit comes first
    #[arg(long, value_name = "SIZE", value_parser = parse::byte_size)]
    max_bytes: Option<u64>,
    /// zstd level 1-19 [default: Federation.DefaultCompressionLevel]
    #[arg(long, value_name = "L", value_parser = clap::value_parser!(i32).range(1..=19))]
    compression_level: Option<i32>,
    /// Sign with this key [default: the only federation key]
    #[arg(long, value_name = "NAME", conflicts_with = "unsigned")]
    key: Option<String>,
    /// Write an unsigned bundle
    #[arg(long)]
    unsigned: bool,
    /// Passphrase file of an encrypted key
    #[arg(long, env = "STELLA_KEY_PASSPHRASE_FILE", value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    /// zstd worker threads (the output is the same for any count) [default: cores]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64))]
    threads: Option<u32>,
    /// Replace output files that already exist
    #[arg(long)]
    force: bool,
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
    /// Write this run's metrics to FILE (node_exporter textfile, replaced atomically), also on failure
    #[arg(long, value_name = "FILE")]
    metrics_file: Option<PathBuf>,
}

impl Export {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let started = std::time::Instant::now();
        let result = self.execute(ctx);
        let mut metrics = Metrics::default();
        let seconds = started.elapsed().as_secs_f64();
        let site = ctx.site_id().ok();
        monitor::export(&mut metrics, result.as_ref().copied(), site, seconds);
        monitor::finish(self.metrics_file.as_deref(), metrics, result).map(drop)
    }

    /// Writes the bundles; returns how many and the items they hold.
    fn execute(&self, ctx: &Context) -> Result<(u64, u64)> {
        let request = ExportRequest {
            since: self.since,
            for_site: self.for_site.clone(),
            output: self.output.clone(),
            max_items: self.max_items,
            max_bytes: self.max_bytes,
            compression_level: self.compression_level,
            signing: (!self.unsigned).then(|| Signing {
                key: self.key.clone(),
                passphrase_file: self.passphrase_file.clone(),
            }),
            threads: self.threads,
            force: self.force,
        };
        if request.to_stdout() {
            refuse_terminal()?;
        }
        let progress = ctx.progress();
        let report = export_bundle(
            ctx,
            &request,
            progress.as_ref(),
            &mut std::io::stdout().lock(),
            stopped,
        )?;
        self.print(ctx, &report, request.to_stdout())?;
        Ok(report.moved())
    }

    /// The report goes to stdout, unless the bundle went there.
    fn print(&self, ctx: &Context, report: &ExportReport, to_stdout: bool) -> Result<()> {
        // On stderr with `--log-format json`, the document is one line.
        let one_line = to_stdout && crate::command::logger::json();
        let text = match self.json {
            true if one_line => serde_json::to_string(report).unwrap_or_default() + "\n",
            true => serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
            false => render::export(report),
        };
        match (to_stdout, self.json) {
            (true, true) => crate::command::logger::document(&text),
            (true, false) => crate::command::logger::notice("info", &text),
            (false, _) => return ctx.out.report(&text),
        }
        Ok(())
    }
}

/// A bundle is binary: it never goes to a terminal (as `zstd` refuses to).
fn refuse_terminal() -> Result<()> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return Ok(());
    }
    Err(crate::error::Error::Reported {
        message: "refusing to write a bundle to a terminal; redirect stdout or use -o FILE"
            .to_owned(),
        exit: Exit::Usage,
    })
}

/// A signal stopped the export and its partial files are gone.
pub fn stopped(signal: &'static str, exit: Exit) -> ! {
    crate::command::logger::error(&format!(
        "interrupted by {signal}: the export was stopped and its partial files removed"
    ));
    std::process::exit(i32::from(exit.code()))
}
