//! `authority keys …`: the home's signing keys.

pub mod export;
pub mod generate;
pub mod list;

use clap::Subcommand;

use crate::command::context::Context;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum AuthorityCommand {
    /// Signing keys
    #[command(subcommand)]
    Keys(KeysCommand),
}

impl AuthorityCommand {
    pub fn run(self, ctx: &Context) -> Result<()> {
        match self {
            AuthorityCommand::Keys(c) => c.run(ctx),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Generate a signing key pair
    Generate(generate::Generate),
    /// Print a key's public half as PEM
    Export(export::Export),
    /// List the keys of this home
    List(list::List),
}

impl KeysCommand {
    pub fn run(self, ctx: &Context) -> Result<()> {
        match self {
            KeysCommand::Generate(c) => c.run(ctx),
            KeysCommand::Export(c) => c.run(ctx),
            KeysCommand::List(c) => c.run(ctx),
        }
    }
}
