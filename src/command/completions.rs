//! `stella completions SHELL`: the shell completion script, on stdout.
//!
//! Generated from the same clap definition as the man pages, so it always
//! matches the binary that prints it. Needs no home and no config.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::cli::output::Output;
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
        Output::stdout().text(&script(self.shell))
    }
}

fn script(shell: CompletionShell) -> String {
    let shell = match shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
        CompletionShell::Powershell => Shell::PowerShell,
    };
    let mut cmd = crate::cli::Cli::command();
    let mut bytes = Vec::new();
    clap_complete::generate(shell, &mut cmd, "stella", &mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}
