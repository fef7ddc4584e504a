use clap::Args;

use crate::command::context::Context;
use crate::command::table::plain as table;
use crate::error::Result;

#[derive(Debug, Args)]
pub struct List {
    /// Print the entries as JSON
    #[arg(long)]
    json: bool,
}

impl List {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let entries = ctx.home.quarantine().list()?;
        if self.json {
            return ctx.out.json(&entries);
        }
        let rows: Vec<Vec<String>> = entries
            .iter()
            .map(|e| {
                vec![
                    e.id.clone(),
                    e.record.received_at.clone(),
                    e.record.reason_code.clone(),
                    super::size_text(e),
                    e.record.source.clone(),
                ]
            })
            .collect();
        ctx.out.text(&table(
            &["ID", "RECEIVED AT", "REASON", "SIZE", "SOURCE"],
            &rows,
        ))
    }
}
