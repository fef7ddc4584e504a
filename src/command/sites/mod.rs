//! `feedser sites …`: federation peers, their policy and history.

pub mod add;
pub mod history;
pub mod list;
pub mod policy;
pub mod remove;
pub mod stale;
pub mod status;

use std::path::Path;

use clap::Subcommand;

use crate::command::context::Context;
use crate::error::{Error, Result};
use crate::site::now;
use crate::store::{NewKey, Site, Store};

#[derive(Debug, Subcommand)]
pub enum SitesCommand {
    /// Register a peer site and the keys it signs with
    Add(add::Add),
    /// List registered sites
    List(list::List),
    /// Show or change a site's import policy and keys
    Policy(policy::Policy),
    /// Show the imports taken from a site
    History(history::History),
    /// Compare the local cursor with what was last imported from a site
    Status(status::Status),
    /// Remove a site: its bundles are refused, its history is kept
    Remove(remove::Remove),
}

impl SitesCommand {
    pub fn run(self, ctx: &Context) -> Result<()> {
        match self {
            SitesCommand::Add(c) => c.run(ctx),
            SitesCommand::List(c) => c.run(ctx),
            SitesCommand::Policy(c) => c.run(ctx),
            SitesCommand::History(c) => c.run(ctx),
            SitesCommand::Status(c) => c.run(ctx),
            SitesCommand::Remove(c) => c.run(ctx),
        }
    }
}

/// Reads a public key PEM file into what the store keeps.
pub fn read_key(path: &Path) -> Result<NewKey> {
    let pem = std::fs::read_to_string(path).map_err(Error::io("cannot read public key", path))?;
    let trusted = crate::keys::parse_public_pem(&pem)?;
    Ok(NewKey {
        key_id: trusted.key_id,
        public_pem: pem,
        added_at: now(),
    })
}

pub fn get_site(store: &dyn Store, id: &str) -> Result<Site> {
    store.site(id)?.ok_or_else(|| Error::NotFound {
        what: "site",
        name: id.to_owned(),
    })
}

pub fn status_word(site: &Site) -> &'static str {
    if site.enabled { "enabled" } else { "disabled" }
}
