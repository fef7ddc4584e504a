//! `feedser sync`: pull a peer's delta from its HTTP API, or push this
//! site's delta to it; thin adapters over `crate::site::sync`.

pub mod pull;
pub mod push;

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::command::context::Context;
use crate::error::Result;
use crate::site::sync::SyncRequest;

#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Import everything a peer's `feedser serve` has after this site's cursor for it
    Pull(pull::Pull),
    /// Send a peer's `feedser serve` everything after its cursor for this site
    Push(push::Push),
}

impl SyncCommand {
    pub fn run(self, ctx: &Context) -> Result<()> {
        match self {
            SyncCommand::Pull(c) => c.run(ctx),
            SyncCommand::Push(c) => c.run(ctx),
        }
    }
}

/// The flags both directions share.
#[derive(Debug, Args)]
pub struct Connection {
    /// The file holding the peer's API token (one line; sent as `Authorization: Bearer`)
    #[arg(long, value_name = "FILE", env = "STELLA_API_TOKEN_FILE")]
    token_file: Option<PathBuf>,
    /// How often to try again, with a doubling wait, when the connection drops or the peer is busy
    #[arg(long, value_name = "N", default_value_t = 4)]
    retries: u32,
    /// Print the result as JSON
    #[arg(long)]
    json: bool,
}

impl Connection {
    fn request(&self, peer_site: &str, url: &str) -> SyncRequest {
        SyncRequest {
            peer_site: peer_site.to_owned(),
            url: url.to_owned(),
            token_file: self.token_file.clone(),
            retry: crate::sync::Retry {
                attempts: self.retries,
                ..crate::sync::Retry::default()
            },
        }
    }
}
