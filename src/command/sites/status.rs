//! `sites status [ID] [--check]`: one site's cursors and freshness, or with
//! `--check` and no ID, the freshness of every enabled site (for cron).
//! `--check` exits 13 (`Exit::Stale`) when a checked site is stale.

use clap::Args;
use serde::Serialize;

use super::stale::{self, Freshness};
use crate::command::context::Context;
use crate::command::table::plain as table;
use crate::cursor::Cursor;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::site::now_millis;
use crate::store::{Sent, Site};

#[derive(Debug, Args)]
pub struct Status {
    /// The peer site [default with --check: every enabled site]
    #[arg(required_unless_present = "check")]
    site_id: Option<String>,
    /// Exit 13 when the last import is older than FederationImport.StaleAfterHours
    #[arg(long)]
    check: bool,
    /// Print the status as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct SiteStatus {
    site_id: String,
    enabled: bool,
    local_cursor: Option<Cursor>,
    last_cursor: Option<Cursor>,
    last_sync_at: Option<String>,
    bundles_imported: u64,
    total_items_imported: u64,
    freshness: Freshness,
    last_sync_age_hours: Option<i64>,
    stale_after_hours: u64,
    /// What `export --for` last sent this peer (a position of this site's
    /// feed), and the position the peer last acknowledged (`-c`).
    sent_cursor: Option<Cursor>,
    sent_at: Option<String>,
    acked_cursor: Option<Cursor>,
    acked_at: Option<String>,
}

impl SiteStatus {
    fn new(site: Site, local_cursor: Option<Cursor>, budget: u64, sent: &[Sent]) -> SiteStatus {
        let (freshness, age) = stale::freshness(site.last_sync_at.as_deref(), now_millis(), budget);
        let sent = sent.iter().find(|s| s.site_id == site.site_id).cloned();
        let sent = sent.unwrap_or_default();
        SiteStatus {
            sent_cursor: sent.sent_cursor,
            sent_at: sent.sent_at,
            acked_cursor: sent.acked_cursor,
            acked_at: sent.acked_at,
            site_id: site.site_id,
            enabled: site.enabled,
            local_cursor,
            last_cursor: site.last_cursor,
            last_sync_at: site.last_sync_at,
            bundles_imported: site.bundles_imported,
            total_items_imported: site.items_imported,
            freshness,
            last_sync_age_hours: age,
            stale_after_hours: budget,
        }
    }

    fn is_stale(&self) -> bool {
        self.freshness != Freshness::Fresh
    }

    fn age(&self) -> String {
        self.last_sync_age_hours
            .map_or_else(|| "-".to_owned(), |h| format!("{h} h"))
    }
}

impl Status {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let store = ctx.open_store()?;
        let budget = ctx.config.federation_import.stale_after_hours;
        let local = store.local_cursor()?;
        let sent = store.sent()?;
        let Some(id) = &self.site_id else {
            let sites = store.sites()?.into_iter().filter(|s| s.enabled);
            let all: Vec<SiteStatus> = sites
                .map(|s| SiteStatus::new(s, local, budget, &sent))
                .collect();
            return self.check_all(ctx, &all, budget);
        };
        let site = super::get_site(store.as_ref(), id)?;
        let status = SiteStatus::new(site, local, budget, &sent);
        if self.json {
            ctx.out.json(&status)?;
        } else {
            ctx.out.text(&render(&status))?;
        }
        if self.check && status.is_stale() {
            return Err(stale_error(&[&status.site_id], 1, budget));
        }
        Ok(())
    }

    fn check_all(&self, ctx: &Context, all: &[SiteStatus], budget: u64) -> Result<()> {
        if self.json {
            ctx.out.json(&all)?;
        } else {
            let rows: Vec<Vec<String>> = all
                .iter()
                .map(|s| {
                    let word = match s.freshness {
                        Freshness::Fresh => "ok",
                        Freshness::Stale => "stale",
                        Freshness::Never => "never imported",
                    };
                    let last = s.last_sync_at.clone().unwrap_or_else(|| "never".into());
                    vec![s.site_id.clone(), last, s.age(), word.to_owned()]
                })
                .collect();
            ctx.out
                .text(&table(&["SITE ID", "LAST SYNC", "AGE", "STATE"], &rows))?;
        }
        let stale: Vec<&str> = all
            .iter()
            .filter(|s| s.is_stale())
            .map(|s| s.site_id.as_str())
            .collect();
        if stale.is_empty() {
            return Ok(());
        }
        Err(stale_error(&stale, all.len(), budget))
    }
}

fn stale_error(stale: &[&str], checked: usize, budget: u64) -> Error {
    let names: Vec<String> = stale.iter().map(|s| format!("`{s}`")).collect();
    Error::Reported {
        message: format!(
            "{} of {} stale (no import within FederationImport.StaleAfterHours, {budget} h): {}; import their latest bundles",
            stale.len(),
            crate::command::count::count(checked as u64, "checked site"),
            names.join(", ")
        ),
        exit: Exit::Stale,
    }
}

fn render(s: &SiteStatus) -> String {
    let or_dash = crate::command::or_dash;
    let mut text = format!(
        "Site: {}\nStatus: {}\nLocal cursor: {}\nLast imported cursor: {}\nLast sync: {}\nBundles imported: {}\nItems imported: {}\n",
        s.site_id,
        if s.enabled { "enabled" } else { "disabled" },
        or_dash(s.local_cursor),
        or_dash(s.last_cursor),
        s.last_sync_at.as_deref().unwrap_or("never"),
        s.bundles_imported,
        s.total_items_imported,
    );
    if let Some(sent) = s.sent_cursor {
        let at = s.sent_at.as_deref().unwrap_or("-");
        text.push_str(&format!("Last sent cursor: {sent} (at {at})\n"));
    }
    if let Some(acked) = s.acked_cursor {
        let at = s.acked_at.as_deref().unwrap_or("-");
        text.push_str(&format!("Acknowledged cursor: {acked} (at {at})\n"));
    }
    let warning = stale::warning(
        &s.site_id,
        s.freshness,
        s.last_sync_age_hours,
        s.stale_after_hours,
    );
    text.push_str(&warning.unwrap_or_default());
    text
}
