//! `stella audit …`: the audit trail of bundle imports (see `crate::audit`).

pub mod acknowledge;
pub mod verify;

use clap::Subcommand;

use crate::command::context::Context;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that the audit log was not edited, reordered or cut
    Verify(verify::Verify),
    /// Accept a break of the audit log, so that imports may append again
    Acknowledge(acknowledge::Acknowledge),
}

impl AuditCommand {
    pub fn run(self, ctx: &Context) -> Result<()> {
        match self {
            AuditCommand::Verify(c) => c.run(ctx),
            AuditCommand::Acknowledge(c) => c.run(ctx),
        }
    }
}
