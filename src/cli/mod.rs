//! The command line: the top-level `Cli`, its global flags and dispatch.
//! Each group's clap enum sits next to its commands in `crate::command`
//! (`command::bundle::BundleCommand`, …); each command's struct turns its
//! arguments into calls on the site layer (`crate::site`) and prints the
//! result. Nothing below `cli`/`command` imports clap.
//!
//! Invariants: every leaf command is listed once, in its group's enum;
//! flags, help texts and env vars are the man pages' source (`man`).

pub mod context;
pub mod logger;
pub mod man;
pub mod output;
pub mod parse;
pub mod progress;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::command;
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

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// State directory [default: $XDG_DATA_HOME/stella or ~/.local/share/stella]
    #[arg(long, global = true, env = "STELLA_HOME", value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Config file [default: <home>/concelier.yaml]
    #[arg(long, global = true, env = "STELLA_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The site PostgreSQL [default: ConnectionStrings.Concelier of the config; none: the embedded SQLite store]; keep its password in STELLA_DATABASE_URL or ~/.pgpass, not on the command line
    #[arg(
        long,
        global = true,
        env = "STELLA_DATABASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub database_url: Option<String>,
    /// Seconds a writing command waits for another one on the same home
    #[arg(
        long,
        global = true,
        env = "STELLA_LOCK_WAIT",
        value_name = "SECONDS",
        default_value_t = 30.0
    )]
    pub lock_wait: f64,
    /// More log output on stderr (-v info, -vv debug, -vvv trace)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Progress bars on stderr: auto (only when stderr is a terminal), always or never; -q implies never
    #[arg(
        long,
        global = true,
        env = "STELLA_PROGRESS",
        value_enum,
        value_name = "WHEN",
        default_value_t = progress::ProgressMode::Auto
    )]
    pub progress: progress::ProgressMode,
    /// Log lines on stderr as text, or as JSON objects (one per line)
    #[arg(
        long,
        global = true,
        env = "STELLA_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text
    )]
    pub log_format: LogFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
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
    Completions(command::completions::Completions),
    /// Developer tools (benchmark data)
    #[command(subcommand, hide = true)]
    Dev(command::dev::DevCommand),
}

impl Cli {
    pub fn run(self) -> Result<()> {
        let global = self.global;
        let ctx = || context::Context::load(&global);
        match self.command {
            Command::Init(cmd) => cmd.run(&global),
            Command::Completions(cmd) => cmd.run(),
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
