//! `feedser quarantine list|show|retry|purge`: the bundles `bundle import`
//! refused for failing verification (see `crate::quarantine`).

pub mod list;
pub mod purge;
pub mod retry;
pub mod show;

use clap::Subcommand;

use crate::command::context::Context;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum QuarantineCommand {
    /// List the bundles refused by verification and kept
    List(list::List),
    /// Show why a quarantined bundle was refused
    Show(show::Show),
    /// Remove quarantined bundles
    Purge(purge::Purge),
    /// Import a quarantined bundle again (after trusting its key, say); success removes it
    Retry(retry::Retry),
}

impl QuarantineCommand {
    pub fn run(self, ctx: &Context) -> Result<()> {
        match self {
            QuarantineCommand::List(c) => c.run(ctx),
            QuarantineCommand::Show(c) => c.run(ctx),
            QuarantineCommand::Purge(c) => c.run(ctx),
            QuarantineCommand::Retry(c) => c.run(ctx),
        }
    }
}

/// `1234` → `1.2 KB`, with the kept part when truncated.
pub fn size_text(entry: &crate::quarantine::Entry) -> String {
    let r = &entry.record;
    if r.truncated {
        format!("{} (first part kept)", crate::units::size(r.size))
    } else {
        crate::units::size(r.size)
    }
}
