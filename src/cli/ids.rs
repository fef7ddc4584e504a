//! `stella __complete KIND` (hidden): the names a completion script offers
//! for a positional argument, one per line — site ids, local key names or
//! quarantine ids of the home (#27).
//!
//! Invariants: it never takes the writer lock and never writes (a store
//! that needs `db migrate` simply lists nothing), and it prints nothing but
//! names: any failure gives an empty list and exit 0, since a shell is
//! asking mid-line. `TARGETS` says which arguments complete with which kind;
//! `completions` turns it into each shell's hook.

use clap::{Args, ValueEnum};

use crate::command::context::Context;
use crate::command::global::GlobalArgs;
use crate::command::output::Output;
use crate::error::Result;

#[derive(Debug, Args)]
pub struct Complete {
    #[arg(value_enum)]
    kind: Kind,
}

/// What a positional argument names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Sites,
    Keys,
    Quarantine,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Sites => "sites",
            Kind::Keys => "keys",
            Kind::Quarantine => "quarantine",
        }
    }
}

/// The commands whose first positional argument completes with a kind.
pub const TARGETS: [(&str, Kind); 9] = [
    ("feedser sites status", Kind::Sites),
    ("feedser sites history", Kind::Sites),
    ("feedser sites policy", Kind::Sites),
    ("feedser sites remove", Kind::Sites),
    ("authority keys export", Kind::Keys),
    ("authority keys default", Kind::Keys),
    ("authority keys retire", Kind::Keys),
    ("feedser quarantine show", Kind::Quarantine),
    ("feedser quarantine retry", Kind::Quarantine),
];

impl Complete {
    pub fn run(self, global: &GlobalArgs) -> Result<()> {
        let names = Context::load(global)
            .and_then(|ctx| names(&ctx, self.kind))
            .unwrap_or_default();
        let mut text = names.join("\n");
        if !text.is_empty() {
            text.push('\n');
        }
        Output::stdout().raw(&text)
    }
}

fn names(ctx: &Context, kind: Kind) -> Result<Vec<String>> {
    Ok(match kind {
        Kind::Sites => ctx
            .open_store()?
            .sites()?
            .into_iter()
            .map(|s| s.site_id)
            .collect(),
        Kind::Keys => ctx.keys().list()?.into_iter().map(|k| k.name).collect(),
        Kind::Quarantine => ctx
            .home
            .quarantine()
            .list()?
            .into_iter()
            .map(|e| e.id)
            .collect(),
    })
}
