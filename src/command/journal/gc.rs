use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use crate::command::context::Context;
use crate::command::count::count;
use crate::error::Result;
use crate::import::ImportError;
use crate::journal::Journal;
use crate::site::{now, now_millis};

#[derive(Debug, Args)]
pub struct Gc {
    /// Forget finished imports older than this many days (also --keep-days)
    #[arg(
        long = "older-than",
        alias = "keep-days",
        value_name = "DAYS",
        default_value_t = 30
    )]
    older_than: u32,
    /// List what would be removed, and remove nothing
    #[arg(long)]
    dry_run: bool,
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

/// What a dry run would remove: the shape of the real run's report
/// (`entries_removed`, `staging_removed`, `spool_removed`), plus the ids.
#[derive(Serialize)]
struct Plan {
    dry_run: bool,
    entries_removed: usize,
    import_ids: Vec<String>,
    #[serde(rename = "staging_removed")]
    staging: Vec<PathBuf>,
    #[serde(rename = "spool_removed")]
    spool: Vec<PathBuf>,
}

/// The real run's report, with `dry_run` as a dry run has it.
#[derive(Serialize)]
struct Done<'a> {
    dry_run: bool,
    #[serde(flatten)]
    report: &'a crate::journal::GcReport,
}

impl Gc {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let _lock = ctx.writer()?;
        ctx.open_store()?;
        let journal = ctx.journal()?;
        let cutoff = now_millis() - i64::from(self.older_than) * 86_400_000;
        let before = crate::cursor::format_millis(cutoff);
        if self.dry_run {
            return self.plan(ctx, &journal, &before);
        }
        let roots = (&*ctx.home.staging_dir(), &*ctx.home.spool_dir());
        let report = crate::journal::gc(&journal, roots, &before).map_err(ImportError::from)?;
        log::debug!("journal gc at {}", now());
        if self.json {
            return ctx.out.json(&Done {
                dry_run: false,
                report: &report,
            });
        }
        ctx.out.report(&format!(
            "removed {} older than {}, {} and {} left by interrupted exports\n",
            count(report.entries_removed as u64, "finished import"),
            count(u64::from(self.older_than), "day"),
            count(report.staging_removed.len() as u64, "orphaned staging file"),
            count(report.spool_removed.len() as u64, "file")
        ))
    }

    fn plan(&self, ctx: &Context, journal: &Journal, before: &str) -> Result<()> {
        let entries = journal
            .entries(false, usize::MAX)
            .map_err(ImportError::from)?;
        let open: Vec<&str> = entries
            .iter()
            .filter(|e| e.state.is_open())
            .map(|e| e.import_id.as_str())
            .collect();
        let mut plan = Plan {
            dry_run: true,
            entries_removed: 0,
            import_ids: entries
                .iter()
                .filter(|e| !e.state.is_open() && e.updated_at.as_str() < before)
                .map(|e| e.import_id.clone())
                .collect(),
            staging: crate::journal::unheld(&ctx.home.staging_dir(), |id| open.contains(&id)),
            spool: crate::journal::unheld(&ctx.home.spool_dir(), |_| false),
        };
        plan.entries_removed = plan.import_ids.len();
        if self.json {
            return ctx.out.json(&plan);
        }
        let mut text = format!(
            "would remove {} older than {}, {} and {} left by interrupted exports (dry run: nothing removed)\n",
            count(plan.import_ids.len() as u64, "finished import"),
            count(u64::from(self.older_than), "day"),
            count(plan.staging.len() as u64, "orphaned staging file"),
            count(plan.spool.len() as u64, "file")
        );
        for id in &plan.import_ids {
            text.push_str(&format!("  import {id}\n"));
        }
        for path in plan.staging.iter().chain(&plan.spool) {
            text.push_str(&format!("  file {}\n", path.display()));
        }
        ctx.out.report(&text)
    }
}
