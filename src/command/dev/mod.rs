//! Hidden developer commands: benchmark data.

pub mod gen_data;

use clap::Subcommand;

use crate::command::context::Context;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Write a deterministic synthetic site into the store
    GenData(gen_data::GenData),
}

impl DevCommand {
    pub fn run(self, ctx: &Context) -> Result<()> {
        match self {
            DevCommand::GenData(c) => c.run(ctx),
        }
    }
}
