//! `feedser canonical get|list`: canonical advisories.

pub mod get;
pub mod list;

use clap::Subcommand;

use crate::command::context::Context;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum CanonicalCommand {
    /// Show one canonical advisory by merge hash
    Get(get::Get),
    /// List canonical advisories
    List(list::List),
}

impl CanonicalCommand {
    pub fn run(self, ctx: &Context) -> Result<()> {
        match self {
            CanonicalCommand::Get(c) => c.run(ctx),
            CanonicalCommand::List(c) => c.run(ctx),
        }
    }
}
