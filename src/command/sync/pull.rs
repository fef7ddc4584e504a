//! `feedser sync pull SITE --from URL`: each part's import report as it
//! ends, then where the site stands (or one `--json` document).

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use crate::command::bundle::render;
use crate::command::context::Context;
use crate::cursor::Cursor;
use crate::error::Result;
use crate::import::ImportOutcome;
use crate::metrics::Metrics;
use crate::site::monitor;

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
    /// Write this run's import metrics to FILE (node_exporter textfile, replaced atomically), also on failure
    #[arg(long, value_name = "FILE")]
    metrics_file: Option<PathBuf>,
}

#[derive(Serialize)]
struct Document {
    success: bool,
    site_id: String,
    bundles: Vec<ImportOutcome>,
    /// The last cursor imported from the site, after the pull.
    last_cursor: Option<Cursor>,
    retries: u32,
}

impl Pull {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let started = std::time::Instant::now();
        let mut metrics = Metrics::default();
        let result = self.pull(ctx, &mut metrics);
        // What the imports did is counted by them (a part of another site
        // too: the import refused it); a failure to reach the peer is
        // counted here.
        if let Err(e @ crate::error::Error::Sync(sync)) = &result
            && !matches!(sync, crate::sync::SyncError::OtherSite { .. })
        {
            let seconds = started.elapsed().as_secs_f64();
            monitor::import(&mut metrics, Err(e), Some(&self.site), seconds);
        }
        monitor::finish(self.metrics_file.as_deref(), metrics, result)
    }

    fn pull(&self, ctx: &Context, metrics: &mut Metrics) -> Result<()> {
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
        let report = crate::site::sync::pull(ctx, &request, &progress, &mut present, metrics)?;
        if json {
            return ctx.out.json(&Document {
                success: true,
                site_id: self.site.clone(),
                bundles: outcomes,
                last_cursor: report.cursor,
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
