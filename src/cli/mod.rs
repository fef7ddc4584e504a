//! The command line: the top-level `Cli` and dispatch, plus what is
//! generated from the whole definition (man pages, completions). Each
//! group's clap enum sits next to its commands in `crate::command`
//! (`command::bundle::BundleCommand`, …), with the global flags
//! (`command::global`); each command's struct turns its arguments into
//! calls on the site layer (`crate::site`) and prints the result. Nothing
//! below `cli`/`command` imports clap.
//!
//! Invariants: every leaf command is listed once, in its group's enum;
//! flags, help texts and env vars are the man pages' source (`man`).

pub mod completions;
pub mod examples;
mod hooks;
pub mod ids;
pub mod man;
mod sections;

use clap::{Parser, Subcommand};

use crate::command;
use crate::command::global::GlobalArgs;
use crate::error::Result;

#[derive(Debug, Parser)]
#[command(
    name = "stella",
    version,
    about = "Keep vulnerability advisories in sync between sites with signed, self-verifying bundles",
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a stella home for a site
    Init(command::init::Init),
    /// Keys and trust
    #[command(subcommand)]
    Authority(command::keys::AuthorityCommand),
    /// Advisory data, sites and bundles
    #[command(subcommand)]
    Feedser(command::feedser::FeedserCommand),
    /// The site store's schema
    #[command(subcommand)]
    Db(command::db::DbCommand),
    /// The audit trail of bundle imports
    #[command(subcommand)]
    Audit(command::audit::AuditCommand),
    /// Check the home, config, keys, store, journal, clock and disk space
    Doctor(command::doctor::Doctor),
    /// Print a shell completion script (bash, zsh, fish, powershell) to stdout
    Completions(completions::Completions),
    /// Developer tools (benchmark data)
    #[command(subcommand, hide = true)]
    Dev(command::dev::DevCommand),
    /// The names a completion script offers (site ids, key names, quarantine ids)
    #[command(name = "__complete", hide = true)]
    Complete(ids::Complete),
}

impl Cli {
    pub fn run(self) -> Result<()> {
        let global = self.global;
        command::logger::configure(&global);
        let ctx = || command::context::Context::load(&global);
        match self.command {
            Command::Init(cmd) => cmd.run(&global),
            Command::Completions(cmd) => cmd.run(),
            Command::Complete(cmd) => cmd.run(&global),
            Command::Doctor(cmd) => cmd.run(&global),
            Command::Authority(c) => c.run(&ctx()?),
            Command::Feedser(c) => c.run(&ctx()?),
            Command::Db(c) => c.run(&ctx()?),
            Command::Audit(c) => c.run(&ctx()?),
            Command::Dev(c) => c.run(&ctx()?),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
