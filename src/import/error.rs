//! Why an import (or a validation) refused a bundle.
//!
//! Invariants: one condition is one variant, with one reason code, one exit
//! code and one message on every path (file, stdin, HTTP); a message that
//! names the way past it names it for where it is read ([`Surface`]), from
//! the one text of its variant.

use crate::cursor::Cursor;
use crate::exit::Exit;

use super::Conflict;
pub use super::size::{BundleSize, SizeLimit};
pub use super::wording::Surface;
use super::wording::*;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "Bundle too large: the bundle is {size}, over the {limit}-byte limit {which}; {}, or ask the sending site for smaller bundles (`bundle export --max-items N`)", .which.raise()
    )]
    TooLarge {
        size: BundleSize,
        limit: u64,
        which: SizeLimit,
    },
    #[error("bundle comes from this site (`{site}`): import it at another site")]
    OwnSite { site: String },
    /// The caller is bound to one site (a client certificate's site id).
    #[error(
        "bundle comes from site `{site}`, but the client is bound to site `{sender}`: a site may only send its own bundles"
    )]
    SenderMismatch { site: String, sender: String },
    #[error(
        "unknown site `{site}`: register it with `stella feedser sites add {site} --display-name NAME --key PUB.pem`"
    )]
    UnknownSite { site: String },
    #[error(
        "Site not allowed: site `{site}` is not in FederationImport.AllowedSites of the config; add it there to accept its bundles"
    )]
    SiteNotAllowed { site: String },
    #[error(
        "Site not allowed: site `{site}` is disabled: enable it with `stella feedser sites policy {site} --enabled true`"
    )]
    SiteDisabled { site: String },
    #[error(
        "bundle from site `{site}` is unsigned and this site requires signatures (Federation.RequireSignature)"
    )]
    Unsigned { site: String },
    #[error("{}", skip_not_allowed(Surface::Cli))]
    SkipNotAllowed,
    #[error(
        "site `{site}` has no trusted keys: add one with `stella feedser sites policy {site} --add-key PUB.pem`"
    )]
    NoTrustedKeys { site: String },
    #[error(
        "Signature verification failed for site `{site}`: key `{key_id}` was revoked for this site at {revoked_at}; ask site `{site}` to sign with a key this site trusts, or trust the key again with `stella feedser sites policy {site} --add-key PUB.pem`"
    )]
    KeyRevoked {
        site: String,
        key_id: String,
        revoked_at: String,
    },
    #[error("Signature verification failed for site `{site}`: {source}")]
    Signature {
        site: String,
        source: crate::bundle::SignatureError,
    },
    #[error("{}", cursor_not_after(.site, .bundle, .current, Surface::Cli))]
    CursorNotAfter {
        site: String,
        bundle: Cursor,
        current: Cursor,
    },
    #[error("{}", missing_delta(.site, .since, .current, Surface::Cli))]
    MissingDelta {
        site: String,
        since: Cursor,
        current: String,
    },
    #[error("{}", future_cursor(.site, .cursor, .now, *.budget_seconds, Surface::Cli))]
    FutureCursor {
        site: String,
        cursor: Cursor,
        now: String,
        budget_seconds: u64,
    },
    #[error("{}", conflicts_refused(.conflicts.len(), Surface::Cli))]
    Conflicts { conflicts: Vec<Conflict> },
    #[error(transparent)]
    Bundle(#[from] crate::bundle::BundleError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The store refused a row of a verified bundle (a constraint, a type,
    /// a size): retrying fails the same way, so the bundle is refused and
    /// quarantined, and the message names the way past it.
    #[error("{}", store_refused(.site, .bundle_hash, .source, Surface::Cli))]
    StoreRefused {
        site: String,
        bundle_hash: String,
        source: Box<crate::store::StoreError>,
    },
    #[error("the import was cancelled before it committed: nothing was written")]
    Cancelled,
    #[error(transparent)]
    Journal(#[from] crate::journal::JournalError),
    /// Checked against the manifest's member sizes before a byte is staged.
    #[error(
        "not enough free space to stage the bundle: needs {} in `{}`, {} free; free some space there and import again", super::size::human(*.needs, true), .path.display(), super::size::human(*.free, false)
    )]
    NoSpace {
        needs: u64,
        free: u64,
        path: std::path::PathBuf,
    },
    #[error("cannot use the staging directory `{path}`: {source}")]
    Staging {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

impl ImportError {
    pub fn exit(&self) -> Exit {
        use ImportError::*;
        match self {
            TooLarge { .. }
            | OwnSite { .. }
            | SenderMismatch { .. }
            | UnknownSite { .. }
            | SiteNotAllowed { .. }
            | SiteDisabled { .. } => Exit::PolicyRefused,
            Unsigned { .. }
            | SkipNotAllowed
            | NoTrustedKeys { .. }
            | KeyRevoked { .. }
            | Signature { .. } => Exit::SignatureInvalid,
            CursorNotAfter { .. } | MissingDelta { .. } | FutureCursor { .. } => {
                Exit::CursorRefused
            }
            // Local I/O (the input could not be read, the staging disk is
            // full) says nothing about the bundle itself.
            Bundle(e) if e.is_local() => Exit::Failure,
            Bundle(_) | StoreRefused { .. } => Exit::BundleInvalid,
            Conflicts { .. } => Exit::Conflict,
            Store(_) => Exit::Store,
            Journal(_) => Exit::Store,
            Cancelled => Exit::Interrupted,
            NoSpace { .. } | Staging { .. } => Exit::Failure,
        }
    }

    /// A stable snake_case code for reports and `--json`.
    pub fn reason_code(&self) -> &'static str {
        use ImportError::*;
        match self {
            TooLarge { .. } => "bundle_too_large",
            OwnSite { .. } => "own_site",
            SenderMismatch { .. } => "sender_mismatch",
            UnknownSite { .. } => "unknown_site",
            SiteNotAllowed { .. } => "site_not_allowed",
            SiteDisabled { .. } => "site_disabled",
            Unsigned { .. } => "unsigned",
            SkipNotAllowed => "skip_signature_not_allowed",
            NoTrustedKeys { .. } => "no_trusted_keys",
            KeyRevoked { .. } => "key_revoked",
            Signature { .. } => "signature_invalid",
            CursorNotAfter { .. } => "cursor_not_after_current",
            MissingDelta { .. } => "missing_delta",
            FutureCursor { .. } => "future_cursor",
            Conflicts { .. } => "conflict",
            Bundle(e) => e.reason_code(),
            Store(_) => "store_error",
            StoreRefused { .. } => "store_refused",
            Journal(_) => "journal_error",
            Cancelled => "cancelled",
            NoSpace { .. } => "staging_no_space",
            Staging { .. } => "staging_error",
        }
    }
}
