//! The words of an import refusal that depend on where it is read
//! ([`Surface`]): the command line names flags (`--force`), the HTTP API
//! names query parameters (`force=true`). Each such message is written
//! once, here, and rendered for either surface.

use crate::cursor::Cursor;

use super::ImportError;

/// Where an error is read: the command line names flags, the HTTP API
/// names query parameters and config keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    Cli,
    Http,
}

impl Surface {
    /// The override of the cursor checks.
    pub(super) fn force(self) -> &'static str {
        match self {
            Surface::Cli => "--force (--reason TEXT records why)",
            Surface::Http => "force=true (reason=TEXT records why)",
        }
    }

    pub(super) fn skip_signature(self) -> &'static str {
        match self {
            Surface::Cli => "--skip-signature",
            Surface::Http => "skip_signature=true",
        }
    }

    pub(super) fn on_conflict(self) -> &'static str {
        match self {
            Surface::Cli => "--on-conflict",
            Surface::Http => "on_conflict=",
        }
    }
}

impl ImportError {
    /// The message as read on `surface`: the same text as `Display` (the
    /// command line's), naming query parameters over HTTP.
    pub fn render(&self, surface: Surface) -> String {
        use ImportError::*;
        match self {
            SkipNotAllowed => skip_not_allowed(surface),
            CursorNotAfter {
                site,
                bundle,
                current,
            } => cursor_not_after(site, bundle, current, surface),
            MissingDelta {
                site,
                since,
                current,
            } => missing_delta(site, since, current, surface),
            FutureCursor {
                site,
                cursor,
                now,
                budget_seconds,
            } => future_cursor(site, cursor, now, *budget_seconds, surface),
            Conflicts { conflicts } => conflicts_refused(conflicts.len(), surface),
            StoreRefused {
                site,
                bundle_hash,
                source,
            } => store_refused(site, bundle_hash, source, surface),
            other => other.to_string(),
        }
    }
}

pub(super) fn skip_not_allowed(s: Surface) -> String {
    format!(
        "{} is not allowed here: Federation.RequireSignature is on and FederationImport.SkipSignatureOnTrustedSites is off",
        s.skip_signature()
    )
}

pub(super) fn cursor_not_after(
    site: &str,
    bundle: &Cursor,
    current: &Cursor,
    s: Surface,
) -> String {
    format!(
        "Cursor not after current: bundle cursor `{bundle}` is not after `{current}`, the last cursor imported from site `{site}`; pass {} to import it anyway",
        s.force()
    )
}

pub(super) fn missing_delta(site: &str, since: &Cursor, current: &str, s: Surface) -> String {
    format!(
        "missing delta: bundle starts at `{since}` but the last cursor imported from site `{site}` is {current}; import the bundles in between first, or pass {}",
        s.force()
    )
}

pub(super) fn future_cursor(
    site: &str,
    cursor: &Cursor,
    now: &str,
    budget: u64,
    s: Surface,
) -> String {
    format!(
        "future cursor: bundle cursor `{cursor}` from site `{site}` is more than {budget} s ahead of this site's clock (`{now}`, FederationImport.MaxClockSkewSeconds); check the exporting site's clock, or pass {} to import it anyway",
        s.force()
    )
}

pub(super) fn conflicts_refused(n: usize, s: Surface) -> String {
    let flag = s.on_conflict();
    let space = if s == Surface::Cli { " " } else { "" };
    format!(
        "{} with local data and {flag}{space}fail: nothing was imported; choose prefer_remote or prefer_local",
        crate::units::count(n as u64, "conflict")
    )
}

pub(super) fn store_refused(
    site: &str,
    bundle_hash: &str,
    source: &crate::store::StoreError,
    s: Surface,
) -> String {
    format!(
        "the store refused the data of bundle `{bundle_hash}` from site `{site}`: {source}; nothing was applied and the bundle is kept in quarantine. A retry fails the same way: ask site `{site}` to correct the record, or import its next bundle with {} to go on without this one",
        s.force()
    )
}
