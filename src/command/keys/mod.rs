//! `authority keys …`: the home's signing keys.

pub mod default;
pub mod export;
pub mod generate;
pub mod list;
pub mod retire;

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
    /// List the keys of this home, and which one signs by default
    List(list::List),
    /// Make a federation key the one that signs when --key is not given
    Default(default::SetDefault),
    /// Stop signing with a key, keeping its public half for verification
    Retire(retire::Retire),
}

impl KeysCommand {
    pub fn run(self, ctx: &Context) -> Result<()> {
        match self {
            KeysCommand::Generate(c) => c.run(ctx),
            KeysCommand::Export(c) => c.run(ctx),
            KeysCommand::List(c) => c.run(ctx),
            KeysCommand::Default(c) => c.run(ctx),
            KeysCommand::Retire(c) => c.run(ctx),
        }
    }
}
