//! The command line: clap definitions and dispatch. Nothing below `cli`
//! imports clap; each subcommand's struct turns its arguments into calls on
//! the core and prints the result.

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
    Authority(AuthorityCommand),
    /// Advisory data, sites and bundles
    #[command(subcommand)]
    Feedser(FeedserCommand),
    /// The site store's schema
    #[command(subcommand)]
    Db(DbCommand),
    /// The audit trail of bundle imports
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Check the home, config, keys, store, journal, clock and disk space
    Doctor(command::doctor::Doctor),
    /// Print a shell completion script (bash, zsh, fish, powershell) to stdout
    Completions(command::completions::Completions),
    /// Developer tools (benchmark data)
    #[command(subcommand, hide = true)]
    Dev(DevCommand),
}

#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Write a deterministic synthetic site into the store
    GenData(command::dev::gen_data::GenData),
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that the audit log was not edited, reordered or cut
    Verify(command::audit::verify::Verify),
}

#[derive(Debug, Subcommand)]
pub enum QuarantineCommand {
    /// List the bundles refused by verification and kept
    List(command::quarantine::list::List),
    /// Show why a quarantined bundle was refused
    Show(command::quarantine::show::Show),
    /// Remove quarantined bundles
    Purge(command::quarantine::purge::Purge),
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Create or upgrade the store's schema (PostgreSQL: under a lock, idempotent)
    Migrate(command::db::migrate::Migrate),
}

#[derive(Debug, Subcommand)]
pub enum AuthorityCommand {
    /// Signing keys
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Generate a signing key pair
    Generate(command::keys::generate::Generate),
    /// Print a key's public half as PEM
    Export(command::keys::export::Export),
    /// List the keys of this home
    List(command::keys::list::List),
}

#[derive(Debug, Subcommand)]
pub enum FeedserCommand {
    /// Ingest advisories from a source
    #[command(subcommand)]
    Ingest(IngestCommand),
    /// Federation peers: registration, policy, history
    #[command(subcommand)]
    Sites(SitesCommand),
    /// Export, validate and import bundles
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// The canonical-imported event log
    Events(command::events::Events),
    /// Look up canonical advisories
    #[command(subcommand)]
    Canonical(CanonicalCommand),
    /// Write the site's advisories for other tools (offline scanners)
    #[command(subcommand)]
    Export(ExportCommand),
    /// The import journal: staged, committed and abandoned imports
    #[command(subcommand)]
    Journal(JournalCommand),
    /// Bundles refused by verification, kept for inspection
    #[command(subcommand)]
    Quarantine(QuarantineCommand),
    /// Serve the federation HTTP API (import, sync status, export, metrics)
    #[cfg(feature = "serve")]
    Serve(command::serve::Serve),
}

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Show recent imports and their state
    Status(command::journal::status::Status),
    /// Forget old finished imports and remove orphaned staging files
    Gc(command::journal::gc::Gc),
}

#[derive(Debug, Subcommand)]
pub enum IngestCommand {
    /// Ingest OSV records: a directory of .json, an all.zip, a .json file, or - (stdin)
    Osv(command::ingest::Osv),
}

#[derive(Debug, Subcommand)]
pub enum SitesCommand {
    /// Register a peer site and the keys it signs with
    Add(command::sites::add::Add),
    /// List registered sites
    List(command::sites::list::List),
    /// Show or change a site's import policy and keys
    Policy(command::sites::policy::Policy),
    /// Show the imports taken from a site
    History(command::sites::history::History),
    /// Compare the local cursor with what was last imported from a site
    Status(command::sites::status::Status),
}

#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Write a full or delta bundle
    Export(command::bundle::export::Export),
    /// Check a bundle without importing it
    Validate(command::bundle::validate::Validate),
    /// Import a bundle
    Import(command::bundle::import::Import),
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write an offline OSV database (osv.dev's all.zip layout) into DIR
    Osv(command::export_osv::ExportOsv),
}

#[derive(Debug, Subcommand)]
pub enum CanonicalCommand {
    /// Show one canonical advisory by merge hash
    Get(command::canonical::get::Get),
    /// List canonical advisories
    List(command::canonical::list::List),
}

impl Cli {
    pub fn run(self) -> Result<()> {
        let global = self.global;
        let ctx = || context::Context::load(&global);
        match self.command {
            Command::Init(cmd) => cmd.run(&global),
            Command::Completions(cmd) => cmd.run(),
            Command::Doctor(cmd) => cmd.run(&global),
            Command::Authority(AuthorityCommand::Keys(cmd)) => match cmd {
                KeysCommand::Generate(c) => c.run(&ctx()?),
                KeysCommand::Export(c) => c.run(&ctx()?),
                KeysCommand::List(c) => c.run(&ctx()?),
            },
            Command::Feedser(cmd) => cmd.run(&ctx()?),
            Command::Db(DbCommand::Migrate(c)) => c.run(&ctx()?),
            Command::Audit(AuditCommand::Verify(c)) => c.run(&ctx()?),
            Command::Dev(DevCommand::GenData(c)) => c.run(&ctx()?),
        }
    }
}

impl FeedserCommand {
    fn run(self, ctx: &context::Context) -> Result<()> {
        match self {
            FeedserCommand::Ingest(IngestCommand::Osv(c)) => c.run(ctx),
            FeedserCommand::Sites(cmd) => match cmd {
                SitesCommand::Add(c) => c.run(ctx),
                SitesCommand::List(c) => c.run(ctx),
                SitesCommand::Policy(c) => c.run(ctx),
                SitesCommand::History(c) => c.run(ctx),
                SitesCommand::Status(c) => c.run(ctx),
            },
            FeedserCommand::Bundle(cmd) => match cmd {
                BundleCommand::Export(c) => c.run(ctx),
                BundleCommand::Validate(c) => c.run(ctx),
                BundleCommand::Import(c) => c.run(ctx),
            },
            FeedserCommand::Events(c) => c.run(ctx),
            #[cfg(feature = "serve")]
            FeedserCommand::Serve(c) => c.run(ctx),
            FeedserCommand::Journal(JournalCommand::Status(c)) => c.run(ctx),
            FeedserCommand::Journal(JournalCommand::Gc(c)) => c.run(ctx),
            FeedserCommand::Quarantine(cmd) => match cmd {
                QuarantineCommand::List(c) => c.run(ctx),
                QuarantineCommand::Show(c) => c.run(ctx),
                QuarantineCommand::Purge(c) => c.run(ctx),
            },
            FeedserCommand::Export(ExportCommand::Osv(c)) => c.run(ctx),
            FeedserCommand::Canonical(cmd) => match cmd {
                CanonicalCommand::Get(c) => c.run(ctx),
                CanonicalCommand::List(c) => c.run(ctx),
            },
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
