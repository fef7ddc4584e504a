use clap::Args;

use crate::command::context::Context;
use crate::command::table::plain as table;
use crate::error::Result;
use crate::import::ImportError;

#[derive(Debug, Args)]
pub struct Status {
    /// Show at most this many imports, newest first
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Print the journal rows as JSON
    #[arg(long)]
    json: bool,
    /// Show whole hashes in the table
    #[arg(long)]
    wide: bool,
}

impl Status {
    pub fn run(self, ctx: &Context) -> Result<()> {
        // Opening the store settles imports a crashed process left open.
        ctx.open_store()?;
        let journal = ctx.journal()?;
        let entries = journal
            .entries(false, self.limit)
            .map_err(ImportError::from)?;
        if self.json {
            return ctx.out.json(&entries);
        }
        let rows: Vec<Vec<String>> = entries
            .iter()
            .map(|e| {
                vec![
                    e.started_at.clone(),
                    e.state.as_str().to_owned(),
                    crate::command::or_dash(e.site_id.as_ref()),
                    e.bundle.clone(),
                    e.bundle_hash.as_deref().map_or_else(
                        || "-".to_owned(),
                        |h| crate::command::table::digest(h, self.wide),
                    ),
                    crate::command::or_dash(e.detail.as_ref()),
                ]
            })
            .collect();
        let headers = [
            "STARTED",
            "STATE",
            "SITE",
            "BUNDLE",
            "BUNDLE HASH",
            "DETAIL",
        ];
        ctx.out.text(&table(&headers, &rows))
    }
}
