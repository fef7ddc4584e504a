//! The global flags every command takes (`--home`, `--config`,
//! `--database-url`, …): the clap side of `site::Location` and of the
//! CLI's logging and progress settings.
//!
//! Invariant: the flags, env vars and defaults are the man pages' source;
//! changing one changes `man/`.

use std::path::PathBuf;

use clap::Args;

use super::progress;

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
