use clap::Args;

use crate::command::context::Context;
use crate::error::Result;
use crate::escape::terminal as shown;

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
        // The message quotes the refused bundle, the source may be a peer
        // address: every value escaped, one line each (issue #28).
        let r = &entry.record;
        let mut text = format!(
            "Quarantined bundle: {}\nReceived at: {}\nSource: {}\nSize: {}\nReason: {}: {}\nVerification log:\n",
            shown(&entry.id),
            shown(&r.received_at),
            shown(&r.source),
            super::size_text(&entry),
            shown(&r.reason_code),
            shown(&r.message),
        );
        if r.verification_log.is_empty() {
            text.push_str("  (no check passed)\n");
        }
        for step in &r.verification_log {
            text.push_str(&format!("  passed {}\n", shown(step)));
        }
        let bundle = entry.bundle.display().to_string();
        text.push_str(&format!("Bundle: {}\n", shown(&bundle)));
        ctx.out.text(&text)
    }
}
