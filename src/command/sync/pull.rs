//! `feedser sync pull SITE --from URL`: each part's import report as it
//! ends, then where the site stands (or one `--json` document).

use clap::Args;
use serde::Serialize;

use crate::command::bundle::render;
use crate::command::context::Context;
use crate::cursor::Cursor;
use crate::error::Result;
use crate::import::ImportOutcome;

use super::Connection;

#[derive(Debug, Args)]
pub struct Pull {
    /// The peer's site id (registered here with `feedser sites add`)
    site: String,
    /// The peer's base URL, http://HOST:PORT (https is not supported yet)
    #[arg(long, value_name = "URL")]
    from: String,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Serialize)]
struct Document {
    success: bool,
    site_id: String,
    bundles: Vec<ImportOutcome>,
    /// The last cursor imported from the site, after the pull.
    last_imported_cursor: Option<Cursor>,
    retries: u32,
}

impl Pull {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let request = self.connection.request(&self.site, &self.from);
        let json = self.connection.json;
        let mut outcomes = Vec::new();
        let label = self.from.clone();
        let mut present = |outcome: &ImportOutcome, ms| {
            if !json {
                ctx.out.text(&render::import(label.as_ref(), outcome, ms))?;
            }
            outcomes.push(outcome.clone());
            Ok(())
        };
        let progress = || ctx.progress();
        let report = crate::site::sync::pull(ctx, &request, &progress, &mut present)?;
        if json {
            return ctx.out.json(&Document {
                success: true,
                site_id: self.site,
                bundles: outcomes,
                last_imported_cursor: report.cursor,
                retries: report.retries,
            });
        }
        let n = crate::command::count::count(report.bundles, "bundle");
        let at = crate::command::or_dash(report.cursor);
        ctx.out.text(&format!(
            "Pulled {n} from {} for site {}: up to date at cursor {at}\n",
            self.from, self.site
        ))
    }
}
