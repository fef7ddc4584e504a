use clap::Args;

use crate::command::context::Context;
use crate::command::output::table;
use crate::error::Result;

#[derive(Debug, Args)]
pub struct List {
    /// Print the sites as JSON (each with its last imported cursor)
    #[arg(long)]
    json: bool,
}

impl List {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let store = ctx.open_store()?;
        let sites = store.sites()?;
        if self.json {
            return ctx.out.json(&sites);
        }
        let rows: Vec<Vec<String>> = sites
            .iter()
            .map(|s| {
                vec![
                    s.site_id.clone(),
                    super::status_word(s).to_owned(),
                    s.last_sync_at.clone().unwrap_or_else(|| "never".into()),
                    crate::command::or_dash(s.last_cursor),
                ]
            })
            .collect();
        ctx.out
            .text(&table(&["SITE ID", "STATUS", "LAST SYNC", "CURSOR"], &rows))
    }
}
