//! Why an import (or a validation) refused a bundle.

use crate::cursor::Cursor;
use crate::exit::Exit;

use super::Conflict;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(
        "Bundle too large: the bundle is {size} bytes, over the {limit}-byte limit of {which}; raise the limit or export smaller bundles (--max-items)"
    )]
    TooLarge {
        size: u64,
        limit: u64,
        which: String,
    },
    #[error("bundle comes from this site (`{site}`): import it at another site")]
    OwnSite { site: String },
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
    #[error(
        "--skip-signature is not allowed here: Federation.RequireSignature is on and FederationImport.SkipSignatureOnTrustedSites is off"
    )]
    SkipNotAllowed,
    #[error(
        "site `{site}` has no trusted keys: add one with `stella feedser sites policy {site} --add-key PUB.pem`"
    )]
    NoTrustedKeys { site: String },
    #[error("Signature verification failed for site `{site}`: {source}")]
    Signature {
        site: String,
        source: crate::bundle::SignatureError,
    },
    #[error(
        "Cursor not after current: bundle cursor `{bundle}` is not after `{current}`, the last cursor imported from site `{site}`; pass --force --reason TEXT to import it anyway"
    )]
    CursorNotAfter {
        site: String,
        bundle: Cursor,
        current: Cursor,
    },
    #[error(
        "missing delta: bundle starts at `{since}` but the last cursor imported from site `{site}` is {current}; import the bundles in between first, or pass --force --reason TEXT"
    )]
    MissingDelta {
        site: String,
        since: Cursor,
        current: String,
    },
    #[error(
        "future cursor: bundle cursor `{cursor}` from site `{site}` is more than {budget_seconds} s ahead of this site's clock (`{now}`, FederationImport.MaxClockSkewSeconds); check the exporting site's clock, or pass --force --reason TEXT to import it anyway"
    )]
    FutureCursor {
        site: String,
        cursor: Cursor,
        now: String,
        budget_seconds: u64,
    },
    #[error("{} conflict(s) with local data and --on-conflict fail: nothing was imported; choose prefer_remote or prefer_local", conflicts.len())]
    Conflicts { conflicts: Vec<Conflict> },
    #[error(transparent)]
    Bundle(#[from] crate::bundle::BundleError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The store refused a row of a verified bundle (a constraint, a type,
    /// a size): retrying fails the same way, so the bundle is refused and
    /// quarantined, and the message names the way past it.
    #[error(
        "the store refused the data of bundle `{bundle_hash}` from site `{site}`: {source}; nothing was applied and the bundle is kept in quarantine. A retry fails the same way: ask site `{site}` to correct the record, or import its next bundle with --force --reason TEXT to go on without this one"
    )]
    StoreRefused {
        site: String,
        bundle_hash: String,
        source: Box<crate::store::StoreError>,
    },
    #[error("the import was cancelled before it committed: nothing was written")]
    Cancelled,
    #[error(transparent)]
    Journal(#[from] crate::journal::JournalError),
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
            | UnknownSite { .. }
            | SiteNotAllowed { .. }
            | SiteDisabled { .. } => Exit::PolicyRefused,
            Unsigned { .. } | SkipNotAllowed | NoTrustedKeys { .. } | Signature { .. } => {
                Exit::SignatureInvalid
            }
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
            Staging { .. } => Exit::Failure,
        }
    }

    /// A stable snake_case code for reports and `--json`.
    pub fn reason_code(&self) -> &'static str {
        use ImportError::*;
        match self {
            TooLarge { .. } => "too_large",
            OwnSite { .. } => "own_site",
            UnknownSite { .. } => "unknown_site",
            SiteNotAllowed { .. } => "site_not_allowed",
            SiteDisabled { .. } => "site_disabled",
            Unsigned { .. } => "unsigned",
            SkipNotAllowed => "skip_signature_not_allowed",
            NoTrustedKeys { .. } => "no_trusted_keys",
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
            Staging { .. } => "staging_error",
        }
    }
}
