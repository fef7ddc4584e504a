//! `feedser sync push SITE --to URL`: each part sent and the peer's
//! answer, then where the peer stands (or one `--json` document).

use clap::Args;
use serde::Serialize;

use crate::command::bundle::render;
use crate::command::context::Context;
use crate::cursor::Cursor;
use crate::error::Result;

use super::Connection;

#[derive(Debug, Args)]
pub struct Push {
    /// The peer's site id
    site: String,
    /// The peer's base URL, http://HOST:PORT (https is not supported yet)
    #[arg(long, value_name = "URL")]
    to: String,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Serialize)]
struct Document {
    success: bool,
    site_id: String,
    /// The peer's cursor for this site before the push.
    since_cursor: Option<Cursor>,
    /// The peer's import document for each part, in order.
    bundles: Vec<serde_json::Value>,
}

impl Push {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let request = self.connection.request(&self.site, &self.to);
        let progress = ctx.progress();
        let stopped = crate::command::bundle::export::stopped;
        let pushed = crate::site::sync::push(ctx, &request, progress.as_ref(), stopped)?;
        if self.connection.json {
            let bundles = pushed.bundles.into_iter().map(|(_, a)| a).collect();
            return ctx.out.json(&Document {
                success: true,
                site_id: self.site,
                since_cursor: pushed.since,
                bundles,
            });
        }
        let mut text = String::new();
        for (bundle, answer) in &pushed.bundles {
            let state = match answer["already_imported"].as_bool() {
                Some(true) => "already imported there",
                _ => "imported",
            };
            text.push_str(&format!(
                "Sent bundle up to {}: {state}\n  Counts: {}\n",
                bundle.export_cursor,
                render::counts_line(&bundle.counts)
            ));
        }
        let since = crate::command::or_dash(pushed.since);
        let at = pushed.bundles.last().map(|(b, _)| b.export_cursor);
        text.push_str(&match at {
            Some(at) => format!("Pushed to {} up to cursor {at}\n", self.to),
            None => format!("{} is up to date: no changes since {since}\n", self.to),
        });
        ctx.out.text(&text)
    }
}
