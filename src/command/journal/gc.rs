use clap::Args;

use crate::command::context::Context;
use crate::command::count::count;
use crate::error::Result;
use crate::import::ImportError;
use crate::site::now;

#[derive(Debug, Args)]
pub struct Gc {
    /// Keep finished imports younger than this many days
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    keep_days: u32,
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

impl Gc {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let _lock = ctx.writer()?;
        ctx.open_store()?;
        let journal = ctx.journal()?;
        let cutoff =
            jiff::Timestamp::now().as_millisecond() - i64::from(self.keep_days) * 86_400_000;
        let before = crate::cursor::format_millis(cutoff);
        let roots = (&*ctx.home.staging_dir(), &*ctx.home.spool_dir());
        let report = crate::journal::gc(&journal, roots, &before).map_err(ImportError::from)?;
        log::debug!("journal gc at {}", now());
        if self.json {
            return ctx.out.json(&report);
        }
        ctx.out.text(&format!(
            "removed {} older than {}, {} and {} left by interrupted exports\n",
            count(report.entries_removed as u64, "finished import"),
            count(u64::from(self.keep_days), "day"),
            count(report.staging_removed.len() as u64, "orphaned staging file"),
            count(report.spool_removed.len() as u64, "file")
        ))
    }
}
