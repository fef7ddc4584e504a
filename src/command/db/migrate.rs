use clap::Args;
use serde::Serialize;

use crate::command::context::Context;
use crate::error::Result;

#[derive(Debug, Args)]
pub struct Migrate {
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Report {
    store: &'static str,
    schema: Option<String>,
    from: i64,
    to: i64,
}

impl Migrate {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let _lock = ctx.writer()?;
        let report = match &ctx.database_url {
            Some(url) => {
                let schema = &ctx.config.federation.database_schema;
                let (from, to) = crate::site::postgres::migrate(url, schema)?;
                Report {
                    store: "postgresql",
                    schema: Some(schema.clone()),
                    from,
                    to,
                }
            }
            None => {
                // The embedded store migrates itself when opened.
                ctx.open_store()?;
                let to = crate::store::sqlite::MIGRATIONS.len() as i64;
                Report {
                    store: "sqlite",
                    schema: None,
                    from: to,
                    to,
                }
            }
        };
        if self.json {
            return ctx.out.json(&report);
        }
        let place = report
            .schema
            .as_deref()
            .map(|s| format!(" schema `{s}`"))
            .unwrap_or_default();
        let what = if report.from == report.to {
            format!("is up to date at version {}", report.to)
        } else {
            format!("migrated from version {} to {}", report.from, report.to)
        };
        ctx.out.report(&format!("{}{place} {what}\n", report.store))
    }
}
