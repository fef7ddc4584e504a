//! How an import settles versions changed at both sites: the strategy
//! names shared by the CLI, the HTTP API, the config and site policies.
//!
//! Invariants: [`ConflictStrategy::parse`] is the one parser of a name, and
//! [`ConflictStrategy::as_str`] its inverse.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictStrategy {
    PreferRemote,
    PreferLocal,
    Fail,
    /// The version with the later upstream `modified` wins (ties: origin
    /// site id, then content digest), with both histories joined: every
    /// site picks the same winner in any delivery order.
    Newest,
}

impl ConflictStrategy {
    pub const ALL: [ConflictStrategy; 4] = [
        ConflictStrategy::PreferRemote,
        ConflictStrategy::PreferLocal,
        ConflictStrategy::Fail,
        ConflictStrategy::Newest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConflictStrategy::PreferRemote => "prefer_remote",
            ConflictStrategy::PreferLocal => "prefer_local",
            ConflictStrategy::Fail => "fail",
            ConflictStrategy::Newest => "newest",
        }
    }

    /// The one parser of a strategy's name (CLI, HTTP, config, policy).
    pub fn parse(name: &str) -> Option<ConflictStrategy> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether two sites that settle the same concurrent pair in either
    /// order end with the same result (only `newest`).
    pub fn converges(self) -> bool {
        self == ConflictStrategy::Newest
    }
}
