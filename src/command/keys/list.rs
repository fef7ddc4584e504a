use clap::Args;
use serde::Serialize;

use crate::command::context::Context;
use crate::command::table::plain as table;
use crate::error::Result;
use crate::keys::KeyInfo;

#[derive(Debug, Args)]
pub struct List {
    /// Print the keys as JSON
    #[arg(long)]
    json: bool,
    /// Show whole hashes in the table
    #[arg(long)]
    wide: bool,
}

/// A key and its role: `default` (signs when no --key is given),
/// `retired` (signs no more) or `active`.
#[derive(Serialize)]
struct Listed<'a> {
    #[serde(flatten)]
    info: &'a KeyInfo,
    status: &'static str,
}

impl List {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let store = ctx.keys();
        let keys = store.list()?;
        let roles = store.roles()?;
        let listed: Vec<Listed> = keys
            .iter()
            .map(|info| Listed {
                info,
                status: if roles.default.as_deref() == Some(info.name.as_str()) {
                    "default"
                } else if roles.retired.contains(&info.name) {
                    "retired"
                } else {
                    "active"
                },
            })
            .collect();
        if self.json {
            return ctx.out.json(&listed);
        }
        let rows: Vec<Vec<String>> = listed
            .iter()
            .map(|k| {
                vec![
                    k.info.name.clone(),
                    k.status.to_owned(),
                    k.info.algorithm.clone(),
                    k.info.purpose.clone(),
                    crate::command::table::digest(&k.info.key_id, self.wide),
                    k.info.created_at.clone(),
                ]
            })
            .collect();
        ctx.out.text(&table(
            &[
                "NAME",
                "STATUS",
                "ALGORITHM",
                "PURPOSE",
                "KEY ID",
                "CREATED",
            ],
            &rows,
        ))
    }
}
