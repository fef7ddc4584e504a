//! `feedser journal status|gc`: the import journal.

pub mod gc;
pub mod status;

use clap::Subcommand;

use crate::command::context::Context;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Show recent imports and their state
    Status(status::Status),
    /// Forget old finished imports and remove orphaned staging files
    Gc(gc::Gc),
}

impl JournalCommand {
    pub fn run(self, ctx: &Context) -> Result<()> {
        match self {
            JournalCommand::Status(c) => c.run(ctx),
            JournalCommand::Gc(c) => c.run(ctx),
        }
    }
}
