//! `stella feedser …`: advisory data, sites and bundles.

use clap::Subcommand;

use crate::command::context::Context;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum FeedserCommand {
    /// Ingest advisories from a source
    #[command(subcommand)]
    Ingest(super::ingest::IngestCommand),
    /// Federation peers: registration, policy, history
    #[command(subcommand)]
    Sites(super::sites::SitesCommand),
    /// Export, validate and import bundles
    #[command(subcommand)]
    Bundle(super::bundle::BundleCommand),
    /// The canonical-imported event log
    Events(super::events::Events),
    /// Look up canonical advisories
    #[command(subcommand)]
    Canonical(super::canonical::CanonicalCommand),
    /// Write the site's advisories for other tools (offline scanners)
    #[command(subcommand)]
    Export(super::export_osv::ExportCommand),
    /// The import journal: staged, committed and abandoned imports
    #[command(subcommand)]
    Journal(super::journal::JournalCommand),
    /// Bundles refused by verification, kept for inspection
    #[command(subcommand)]
    Quarantine(super::quarantine::QuarantineCommand),
    /// Pull from or push to a peer's HTTP API (`feedser serve`)
    #[command(subcommand)]
    Sync(super::sync::SyncCommand),
    /// Serve the federation HTTP API (import, sync status, export, metrics)
    #[cfg(feature = "serve")]
    Serve(super::serve::Serve),
}

impl FeedserCommand {
    pub fn run(self, ctx: &Context) -> Result<()> {
        match self {
            FeedserCommand::Ingest(c) => c.run(ctx),
            FeedserCommand::Sites(c) => c.run(ctx),
            FeedserCommand::Bundle(c) => c.run(ctx),
            FeedserCommand::Events(c) => c.run(ctx),
            FeedserCommand::Canonical(c) => c.run(ctx),
            FeedserCommand::Export(c) => c.run(ctx),
            FeedserCommand::Journal(c) => c.run(ctx),
            FeedserCommand::Quarantine(c) => c.run(ctx),
            FeedserCommand::Sync(c) => c.run(ctx),
            #[cfg(feature = "serve")]
            FeedserCommand::Serve(c) => c.run(ctx),
        }
    }
}
