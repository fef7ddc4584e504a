//! `feedser sites history ID`: the ledger rows of a site's imports, newest
//! first; a removed site's rows stay readable (with a note on stderr).

use clap::Args;

use crate::command::context::Context;
use crate::command::table::plain as table;
use crate::error::Result;

#[derive(Debug, Args)]
pub struct History {
    /// The site whose imports to show
    site_id: String,
    /// Show at most this many imports, newest first
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Print the ledger rows as JSON
    #[arg(long)]
    json: bool,
    /// Show whole hashes in the table
    #[arg(long)]
    wide: bool,
}

impl History {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let store = ctx.open_store()?;
        // A removed site's ledger stays readable for audit (#27).
        if let Some(at) = store.site_removed_at(&self.site_id)? {
            crate::command::logger::notice(
                "info",
                &format!(
                    "note: site `{}` was removed at {at}; its ledger is kept for audit\n",
                    self.site_id
                ),
            );
        } else {
            super::get_site(store.as_ref(), &self.site_id)?;
        }
        let entries = store.history(&self.site_id, self.limit)?;
        if self.json {
            return ctx.out.json(&entries);
        }
        let rows: Vec<Vec<String>> = entries
            .iter()
            .map(|e| {
                let c = &e.counts;
                let mut flags = Vec::new();
                if e.forced {
                    flags.push("forced");
                }
                if e.signature_skipped {
                    flags.push("unsigned");
                }
                vec![
                    e.imported_at.clone(),
                    e.export_cursor.to_string(),
                    e.items.to_string(),
                    format!(
                        "{}/{}/{}",
                        c.canonical_created, c.canonical_updated, c.canonical_skipped
                    ),
                    c.deletions_processed.to_string(),
                    format!("{}/{}", c.stale, c.echo),
                    c.conflicts.to_string(),
                    crate::command::table::digest(&e.bundle_hash, self.wide),
                    crate::command::or_dash((!flags.is_empty()).then(|| flags.join(","))),
                    match (&e.reason, e.forced) {
                        (Some(reason), _) => reason.clone(),
                        (None, true) => "(none given)".to_owned(),
                        (None, false) => "-".to_owned(),
                    },
                ]
            })
            .collect();
        let headers = [
            "IMPORTED AT",
            "CURSOR",
            "ITEMS",
            "CREATED/UPDATED/SKIPPED",
            "DELETED",
            "STALE/ECHO",
            "CONFLICTS",
            "BUNDLE HASH",
            "FLAGS",
            "REASON",
        ];
        ctx.out.text(&table(&headers, &rows))
    }
}
