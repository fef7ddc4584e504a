use clap::Args;

use crate::command::context::Context;
use crate::command::table::plain as table;
use crate::error::Result;

#[derive(Debug, Args)]
pub struct Events {
    /// Show events after this event id
    #[arg(long, value_name = "N", default_value_t = 0)]
    since: u64,
    /// Show at most this many events
    #[arg(long, value_name = "N", default_value_t = 1000)]
    limit: usize,
    /// Print the events as NDJSON (one canonical-imported event per line)
    #[arg(long)]
    json: bool,
    /// Show whole hashes in the table
    #[arg(long)]
    wide: bool,
}

impl Events {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let store = ctx.open_store()?;
        let events = store.events(self.since, self.limit)?;
        if self.json {
            let mut text = String::new();
            for event in &events {
                text.push_str(&serde_json::to_string(event).unwrap_or_default());
                text.push('\n');
            }
            return ctx.out.raw(&text);
        }
        let rows: Vec<Vec<String>> = events
            .iter()
            .map(|e| {
                vec![
                    e.event_id.to_string(),
                    e.event.imported_at.clone(),
                    e.event.action.as_str().to_owned(),
                    e.event.site_id.clone(),
                    e.event.cve.clone(),
                    e.event.affects_key.clone(),
                    crate::command::table::digest(&e.event.merge_hash, self.wide),
                ]
            })
            .collect();
        let headers = [
            "ID",
            "TIME",
            "ACTION",
            "FROM SITE",
            "CVE",
            "PACKAGE",
            "MERGE HASH",
        ];
        ctx.out.text(&table(&headers, &rows))
    }
}
