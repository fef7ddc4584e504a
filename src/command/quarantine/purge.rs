use clap::{ArgGroup, Args};

use crate::command::context::Context;
use crate::command::table::plain as table;
use crate::error::Result;
use crate::quarantine::Entry;
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
    /// List what would be removed, and remove nothing
    #[arg(long)]
    dry_run: bool,
}

impl Purge {
    pub fn run(self, ctx: &Context) -> Result<()> {
        // An import may be quarantining a bundle right now (issue #28).
        let _lock = ctx.writer()?;
        let quarantine = ctx.home.quarantine();
        let chosen: Vec<Entry> = if self.all {
            quarantine.list()?
        } else if let Some(days) = self.older_than {
            let cutoff = now_millis() - i64::from(days) * 86_400_000;
            quarantine.older_than(cutoff)?
        } else {
            self.ids
                .iter()
                .map(|id| quarantine.show(id))
                .collect::<std::result::Result<_, _>>()?
        };
        if self.dry_run {
            let rows: Vec<Vec<String>> = chosen
                .iter()
                .map(|e| {
                    let r = &e.record;
                    vec![e.id.clone(), r.received_at.clone(), r.reason_code.clone()]
                })
                .collect();
            let mut text = format!(
                "would purge {} (dry run: nothing removed)\n",
                crate::command::count::count(chosen.len() as u64, "quarantined bundle")
            );
            if !rows.is_empty() {
                text.push_str(&table(&["ID", "RECEIVED AT", "REASON"], &rows));
            }
            return ctx.out.report(&text);
        }
        let removed = if self.all {
            quarantine.remove_all()?
        } else {
            let ids: Vec<String> = chosen.into_iter().map(|e| e.id).collect();
            quarantine.remove(&ids)?
        };
        ctx.out.report(&format!(
            "purged {}\n",
            crate::command::count::count(removed as u64, "quarantined bundle")
        ))
    }
}
