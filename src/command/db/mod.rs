//! `db migrate`: the store's schema.

pub mod migrate;

use clap::Subcommand;

use crate::command::context::Context;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Create or upgrade the store's schema (PostgreSQL: under a lock, idempotent)
    Migrate(migrate::Migrate),
}

impl DbCommand {
    pub fn run(self, ctx: &Context) -> Result<()> {
        match self {
            DbCommand::Migrate(c) => c.run(ctx),
        }
    }
}
