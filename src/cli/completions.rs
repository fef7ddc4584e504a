//! `stella completions SHELL`: the shell completion script, on stdout.
//!
//! Generated from the same clap definition as the man pages, so it always
//! matches the binary that prints it, less the hidden subcommands (`dev`),
//! which `--help` and the man pages leave out too. Needs no home and no
//! config. In bash, zsh and fish, site ids, key names and quarantine ids
//! complete from the home through `stella __complete` (`hooks`).

use clap::{Args, Command, CommandFactory};
use clap_complete::Shell;

use crate::command::output::Output;
use crate::error::Result;

#[derive(Debug, Args)]
pub struct Completions {
    /// The shell to write the completion script for
    #[arg(value_enum, value_name = "SHELL")]
    shell: CompletionShell,
}

/// The shells stella supports (a subset of what the generator knows).
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

impl Completions {
    pub fn run(self) -> Result<()> {
        Output::stdout().raw(&script(self.shell))
    }
}

fn script(shell: CompletionShell) -> String {
    let shell = match shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
        CompletionShell::Powershell => Shell::PowerShell,
    };
    let mut cmd = visible(super::Cli::command());
    let mut bytes = Vec::new();
    clap_complete::generate(shell, &mut cmd, "stella", &mut bytes);
    let script = String::from_utf8_lossy(&bytes).into_owned();
    match shell {
        Shell::Bash => super::hooks::bash(&script, &cmd),
        Shell::Zsh => super::hooks::zsh(&script, &cmd),
        Shell::Fish => super::hooks::fish(&script, &cmd),
        _ => script,
    }
}

/// `cli` without its hidden subcommands. The generators list every
/// subcommand, hidden or not (clap issue #1335), and `Command` cannot remove
/// one, so the root is built again from its own arguments and visible
/// subcommands, with the settings completions show. Only the name and
/// version are restated (clap keeps them as static strings), and checked.
fn visible(cli: Command) -> Command {
    debug_assert_eq!(cli.get_name(), "stella");
    debug_assert_eq!(cli.get_version(), Some(env!("CARGO_PKG_VERSION")));
    let root = Command::new("stella")
        .version(env!("CARGO_PKG_VERSION"))
        .propagate_version(cli.is_propagate_version_set())
        .args(cli.get_arguments().cloned())
        .subcommands(cli.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
    match cli.get_about() {
        Some(about) => root.about(about.clone()),
        None => root,
    }
}
