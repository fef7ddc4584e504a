//! `stella audit …`: the audit trail of bundle imports (see `crate::audit`).

pub mod verify;

use clap::Subcommand;

use crate::command::context::Context;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that the audit log was not edited, reordered or cut
    Verify(verify::Verify),
}

impl AuditCommand {
    pub fn run(self, ctx: &Context) -> Result<()> {
        match self {
            AuditCommand::Verify(c) => c.run(ctx),
        }
    }
}
