use clap::Args;

use crate::command::context::Context;
use crate::command::output::table;
use crate::error::Result;

#[derive(Debug, Args)]
pub struct List {
    /// Print the keys as JSON
    #[arg(long)]
    json: bool,
}

impl List {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let keys = ctx.keys().list()?;
        if self.json {
            return ctx.out.json(&keys);
        }
        let rows: Vec<Vec<String>> = keys
            .iter()
            .map(|k| {
                vec![
                    k.name.clone(),
                    k.algorithm.clone(),
                    k.purpose.clone(),
                    k.key_id.clone(),
                    k.created_at.clone(),
                ]
            })
            .collect();
        ctx.out.text(&table(
            &["NAME", "ALGORITHM", "PURPOSE", "KEY ID", "CREATED"],
            &rows,
        ))
    }
}
