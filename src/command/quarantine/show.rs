use clap::Args;

use crate::cli::context::Context;
use crate::error::Result;

#[derive(Debug, Args)]
pub struct Show {
    /// The entry's id (see `quarantine list`)
    id: String,
    /// Print the entry as JSON
    #[arg(long)]
    json: bool,
}

impl Show {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let entry = ctx.home.quarantine().show(&self.id)?;
        if self.json {
            return ctx.out.json(&entry);
        }
        let r = &entry.record;
        let mut text = format!(
            "Quarantined bundle: {}\nReceived at: {}\nSource: {}\nSize: {}\nReason: {}: {}\nVerification log:\n",
            entry.id,
            r.received_at,
            r.source,
            super::size_text(&entry),
            r.reason_code,
            r.message,
        );
        if r.verification_log.is_empty() {
            text.push_str("  (no check passed)\n");
        }
        for step in &r.verification_log {
            text.push_str(&format!("  passed {step}\n"));
        }
        text.push_str(&format!("Bundle: {}\n", entry.bundle.display()));
        ctx.out.text(&text)
    }
}
