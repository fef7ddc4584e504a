use clap::{ArgGroup, Args};

use crate::command::context::Context;
use crate::error::Result;
use crate::site::now_millis;

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("which").required(true).args(["ids", "all", "older_than"])))]
pub struct Purge {
    /// The entries to remove
    ids: Vec<String>,
    /// Remove every entry
    #[arg(long)]
    all: bool,
    /// Remove the entries received more than DAYS days ago
    #[arg(long, value_name = "DAYS")]
    older_than: Option<u32>,
}

impl Purge {
    pub fn run(self, ctx: &Context) -> Result<()> {
        // An import may be quarantining a bundle right now (issue #28).
        let _lock = ctx.writer()?;
        let quarantine = ctx.home.quarantine();
        let removed = if self.all {
            quarantine.remove_all()?
        } else if let Some(days) = self.older_than {
            let cutoff = now_millis() - i64::from(days) * 86_400_000;
            quarantine.remove_older_than(cutoff)?
        } else {
            quarantine.remove(&self.ids)?
        };
        ctx.out.text(&format!(
            "purged {}\n",
            crate::command::count::count(removed as u64, "quarantined bundle")
        ))
    }
}
