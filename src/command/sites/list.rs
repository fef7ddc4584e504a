//! `feedser sites list`: the document's table (`SITE ID  STATUS  LAST SYNC
//! CURSOR`, ruled, `LAST SYNC` in UTC to the minute); `--json` keeps every
//! field at full precision.

use clap::Args;

use crate::command::context::Context;
use crate::error::Result;

#[derive(Debug, Args)]
pub struct List {
    /// Print the sites as JSON (each with its last imported cursor)
    #[arg(long)]
    json: bool,
}

impl List {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let store = ctx.open_store()?;
        let sites = store.sites()?;
        if self.json {
            return ctx.out.json(&sites);
        }
        let rows: Vec<Vec<String>> = sites
            .iter()
            .map(|s| {
                vec![
                    s.site_id.clone(),
                    super::status_word(s).to_owned(),
                    s.last_sync_at
                        .as_deref()
                        .map_or_else(|| "never".into(), minute),
                    crate::command::or_dash(s.last_cursor),
                ]
            })
            .collect();
        let headers = ["SITE ID", "STATUS", "LAST SYNC", "CURSOR"];
        ctx.out.text(&crate::command::table::ruled(&headers, rows))
    }
}

/// `2025-01-15T10:30:15.123Z` → `2025-01-15 10:30` (UTC); a time that does
/// not parse is shown as it is.
fn minute(at: &str) -> String {
    at.parse::<jiff::Timestamp>().map_or_else(
        |_| at.to_owned(),
        |t| t.strftime("%Y-%m-%d %H:%M").to_string(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn last_sync_to_the_minute_in_utc() {
        assert_eq!(
            super::minute("2025-01-15T10:30:15.123Z"),
            "2025-01-15 10:30"
        );
        assert_eq!(
            super::minute("2025-01-15T12:30:00+02:00"),
            "2025-01-15 10:30"
        );
        assert_eq!(super::minute("garbage"), "garbage");
    }
}
