//! `feedser bundle`: export, validate and import bundles. Each command is
//! a thin adapter over the site layer (`crate::site`).

pub mod export;
pub mod import;
mod output;
pub mod validate;

use clap::Subcommand;

use crate::cli::context::Context;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Write a full or delta bundle
    Export(export::Export),
    /// Check a bundle without importing it
    Validate(validate::Validate),
    /// Import a bundle
    Import(import::Import),
}

impl BundleCommand {
    pub fn run(self, ctx: &Context) -> Result<()> {
        match self {
            BundleCommand::Export(c) => c.run(ctx),
            BundleCommand::Validate(c) => c.run(ctx),
            BundleCommand::Import(c) => c.run(ctx),
        }
    }
}

pub fn counts_line(c: &crate::bundle::Counts) -> String {
    format!(
        "{} canonicals, {} edges, {} deletions ({} items)",
        c.canonicals, c.edges, c.deletions, c.total
    )
}
