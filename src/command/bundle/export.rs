//! `feedser bundle export`: the delta since a cursor (or everything) as one
//! bundle, or a chain of bundles when it is over `--max-items`, to files or
//! to stdout. Files are written whole or not at all (`output`); the report
//! goes to stdout only when the bundle does not, else to stderr.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use serde::Serialize;

use crate::bundle::{WriteOptions, Written};
use crate::cli::context::Context;
use crate::cli::parse;
use crate::cursor::Cursor;
use crate::error::{Error, Result};
use crate::export::{ExportError, Exporter, Part};
use crate::metrics::Metrics;

use super::interrupts::Interrupts;
use super::{monitor, output};

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

#[derive(Serialize)]
struct Report {
    bundles: Vec<BundleReport>,
    since_cursor: Option<Cursor>,
    export_cursor: Option<Cursor>,
}

#[derive(Serialize)]
struct BundleReport {
    path: String,
    bundle_hash: String,
    size: u64,
    since_cursor: Option<Cursor>,
    export_cursor: Cursor,
    counts: crate::bundle::Counts,
    signer_key_id: Option<String>,
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
        let site_id = ctx.site_id()?;
        let store = ctx.open_store()?;
        let max_items = self
            .max_items
            .unwrap_or(ctx.config.federation.default_max_items);
        let since = self.since_for(store.as_ref())?;
        let skip_via = self.for_site.as_deref();
        let parts = crate::export::plan(store.as_ref(), since, max_items, skip_via)?;
        let to_stdout = self.output.as_deref() == Some(Path::new("-"));
        if to_stdout && parts.len() > 1 {
            let parts = parts.len();
            return Err(ExportError::ChainToStdout { parts, max_items }.into());
        }
        let signer = match self.unsigned {
            true => None,
            false => Some(super::signer::signer(
                ctx,
                self.key.as_deref(),
                self.passphrase_file.as_deref(),
            )?),
        };
        let paths = self.targets(site_id, &parts)?;
        // A private spool under a lock (so `journal gc` tells a live export
        // from a killed one), removed with the temporary output on a signal.
        let mut scratch = super::scratch(&ctx.home.spool_dir())?;
        let interrupts = Interrupts::install(scratch.paths())?;
        let spool_dir = scratch.dir().to_owned();
        let progress = ctx.progress();
        let exporter = Exporter {
            store: store.as_ref(),
            site_id,
            skip_via,
            signer: signer.as_ref(),
            options: WriteOptions {
                level: self
                    .compression_level
                    .unwrap_or(ctx.config.federation.default_compression_level),
                threads: self.threads.unwrap_or_else(crate::bundle::worker_threads),
                ..WriteOptions::default()
            },
            spool_dir: &spool_dir,
            progress: progress.as_ref(),
        };
        let mut bundles = Vec::new();
        for (part, path) in parts.iter().zip(paths) {
            let written = match &path {
                None => exporter.write(part, &mut std::io::stdout().lock())?,
                Some(path) => {
                    let tracking = output::Tracking {
                        interrupts: &interrupts,
                        scratch: &mut scratch,
                    };
                    output::write_atomically(path, tracking, |out| exporter.write(part, out))?
                }
            };
            let key_id = signer.as_ref().map(|s| s.key_id.clone());
            bundles.push(report(path.as_deref(), &written, key_id));
        }
        let export_cursor = parts.last().map(|p| p.upto).or(since);
        drop(store);
        self.record_sent(ctx, parts.last().map(|p| p.upto))?;
        let moved = (
            bundles.len() as u64,
            bundles.iter().map(|b| b.counts.total).sum(),
        );
        for b in &bundles {
            log::debug!(
                site_id = site_id,
                bundle_hash = b.bundle_hash.as_str(),
                cursor:% = b.export_cursor;
                "wrote bundle `{}`", b.path
            );
        }
        let report = Report {
            bundles,
            since_cursor: since,
            export_cursor,
        };
        self.print(ctx, &report, to_stdout)?;
        Ok(moved)
    }

    /// Where the export starts: `-c`, else with `--for` after what was
    /// last sent to that peer, else everything.
    fn since_for(&self, store: &dyn crate::store::Store) -> Result<Option<Cursor>> {
        let Some(peer) = self.for_site.as_deref().filter(|_| self.since.is_none()) else {
            return Ok(crate::export::resolve(store, self.since)?);
        };
        let sent = store.sent()?.into_iter().find(|s| s.site_id == peer);
        Ok(sent.and_then(|s| s.sent_cursor))
    }

    /// With `--for`: what was sent now (`None` when nothing was), and the
    /// peer's cursor given with `-c` as its acknowledgement.
    fn record_sent(&self, ctx: &Context, sent: Option<Cursor>) -> Result<()> {
        let Some(peer) = &self.for_site else {
            return Ok(());
        };
        let now = crate::cli::context::now();
        let record = crate::store::Sent {
            site_id: peer.clone(),
            sent_cursor: sent,
            sent_at: sent.map(|_| now.clone()),
            acked_cursor: self.since,
            acked_at: self.since.map(|_| now),
        };
        let _lock = ctx.writer()?;
        ctx.open_store()?.record_sent(&record)?;
        Ok(())
    }

    /// Each part's target, every one checked before anything is written.
    fn targets(&self, site_id: &str, parts: &[Part]) -> Result<Vec<Option<PathBuf>>> {
        let paths: Vec<Option<PathBuf>> = (0..parts.len())
            .map(|i| self.part_path(site_id, &parts[i], i, parts.len()))
            .collect();
        for path in paths.iter().flatten() {
            output::check_target(path, self.force)?;
        }
        Ok(paths)
    }

    /// `None` is stdout. A chain numbers its parts: `x.tar.zst` → `x.0001.tar.zst`, ….
    fn part_path(&self, site_id: &str, part: &Part, index: usize, count: usize) -> Option<PathBuf> {
        let base = match &self.output {
            Some(p) if p == Path::new("-") => return None,
            Some(p) => p.clone(),
            None => PathBuf::from(default_name(site_id, part)),
        };
        if count == 1 || self.output.is_none() {
            return Some(base);
        }
        let text = base.to_string_lossy().into_owned();
        let (stem, ext) = match text.strip_suffix(".tar.zst") {
            Some(stem) => (stem.to_owned(), ".tar.zst"),
            None => (text.clone(), ""),
        };
        Some(PathBuf::from(format!("{stem}.{:04}{ext}", index + 1)))
    }

    fn print(&self, ctx: &Context, report: &Report, to_stdout: bool) -> Result<()> {
        if self.json {
            let text = serde_json::to_string_pretty(report).unwrap_or_default() + "\n";
            return if to_stdout {
                eprint(&text)
            } else {
                ctx.out.text(&text)
            };
        }
        let text = render(report);
        if to_stdout {
            eprint(&text)
        } else {
            ctx.out.text(&text)
        }
    }
}

fn eprint(text: &str) -> Result<()> {
    std::io::stderr()
        .write_all(text.as_bytes())
        .map_err(Error::io("write to", "stderr"))
}

/// `site-a-20250115T103000.000Z-0042.tar.zst`: sortable and safe on any filesystem.
fn default_name(site_id: &str, part: &Part) -> String {
    let cursor = part
        .upto
        .to_string()
        .replace([':', '-'], "")
        .replace('#', "-");
    format!("{site_id}-{cursor}.tar.zst")
}

fn report(path: Option<&Path>, written: &Written, signer_key_id: Option<String>) -> BundleReport {
    let m = &written.manifest;
    BundleReport {
        path: path.map_or_else(|| "-".to_owned(), |p| p.display().to_string()),
        bundle_hash: written.bundle_hash.clone(),
        size: written.bytes,
        since_cursor: m.since_cursor,
        export_cursor: m.export_cursor,
        counts: m.counts,
        signer_key_id,
    }
}

fn render(report: &Report) -> String {
    if report.bundles.is_empty() {
        let since = crate::command::or_dash(report.since_cursor);
        return format!("no changes since {since}: no bundle written\n");
    }
    let mut text = String::new();
    for b in &report.bundles {
        text.push_str(&format!(
            "Wrote {}\n  Since: {}\n  Cursor: {}\n  Counts: {}\n  Bundle hash: {}\n  Size: {} bytes\n  Signed: {}\n",
            b.path,
            b.since_cursor.map_or_else(|| "full export".to_owned(), |c| c.to_string()),
            b.export_cursor,
            super::counts_line(&b.counts),
            b.bundle_hash,
            b.size,
            b.signer_key_id.as_deref().unwrap_or("no (unsigned)"),
        ));
    }
    text.push_str(&format!(
        "Export cursor: {}\n",
        crate::command::or_dash(report.export_cursor)
    ));
    text
}
