//! `feedser bundle`: export, validate and import bundles. Export and
//! import are thin adapters over the site layer (`crate::site::export`,
//! `crate::site::import`); they turn flags into a request and print the
//! report.

pub mod export;
pub mod import;
pub mod render;
pub mod validate;

use clap::Subcommand;

use crate::command::context::Context;
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
