use clap::Args;
use serde::Serialize;

use crate::cli::context::Context;
use crate::cursor::Cursor;
use crate::error::Result;

#[derive(Debug, Args)]
pub struct Status {
    /// The peer site
    site_id: String,
    /// Print the status as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct SiteStatus {
    site_id: String,
    enabled: bool,
    local_cursor: Option<Cursor>,
    last_imported_cursor: Option<Cursor>,
    last_sync_at: Option<String>,
    bundles_imported: u64,
    items_imported: u64,
}

impl Status {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let store = ctx.open_store()?;
        let site = super::get_site(store.as_ref(), &self.site_id)?;
        let status = SiteStatus {
            site_id: site.site_id,
            enabled: site.enabled,
            local_cursor: store.local_cursor()?,
            last_imported_cursor: site.last_cursor,
            last_sync_at: site.last_sync_at,
            bundles_imported: site.bundles_imported,
            items_imported: site.items_imported,
        };
        if self.json {
            return ctx.out.json(&status);
        }
        let or_dash = crate::command::or_dash;
        ctx.out.text(&format!(
            "Site: {}\nStatus: {}\nLocal cursor: {}\nLast imported cursor: {}\nLast sync: {}\nBundles imported: {}\nItems imported: {}\n",
            status.site_id,
            if status.enabled { "enabled" } else { "disabled" },
            or_dash(status.local_cursor),
            or_dash(status.last_imported_cursor),
            status.last_sync_at.as_deref().unwrap_or("never"),
            status.bundles_imported,
            status.items_imported,
        ))
    }
}
