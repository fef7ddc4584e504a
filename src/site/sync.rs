//! `feedser sync pull|push` on a site: the sync client (`crate::sync`)
//! wired to this site's import and export.
//!
//! Pull: each part the peer serves is spooled whole under the home's
//! spool (a locked scratch directory, so `journal gc` leaves it alone)
//! and imported by [`import_bundle`] like `bundle import` (its audit
//! record's `command` is `feedser sync pull`, its `bundle` the peer's
//! URL); the import refuses a part of another site once its signature is
//! verified, and that refusal is worded to name the URL. Push: the delta after the peer's cursor for this site,
//! exported signed with the default key into the spool as a chain
//! (`export_bundle`, `--for` the peer once it holds a cursor), then each
//! part `POST`ed in order.
//!
//! Invariant: the cursor each request starts from is read back from the
//! store (pull) or the peer (push) when the request starts, so a run
//! stopped anywhere resumes where the last import ended.

use std::path::{Path, PathBuf};

use crate::cursor::Cursor;
use crate::error::{Error, Result};
use crate::import::{ImportError, ImportOutcome};
use crate::metrics::Metrics;
use crate::progress::Progress;
use crate::sync::{Peer, PullReport, Receiver, Retry, SyncError};

use super::Site;
use super::export::{BundleReport, ExportRequest, Signing, export_bundle};
use super::import::{Caller, ImportRequest, Source, import_bundle, open_input};
use super::interrupts::OnSignal;

/// What `sync pull` and `sync push` are asked.
pub struct SyncRequest {
    /// The peer's site id.
    pub peer_site: String,
    /// Its base URL, `http://HOST:PORT`.
    pub url: String,
    pub token_file: Option<PathBuf>,
    pub retry: Retry,
}

impl SyncRequest {
    fn peer(&self) -> Result<Peer> {
        let token = match &self.token_file {
            None => None,
            Some(path) => Some(read_token(path)?),
        };
        Ok(Peer::parse(&self.url, token)?)
    }
}

/// The first line of the token file.
fn read_token(path: &Path) -> Result<String> {
    let why = |why: String| SyncError::Token {
        path: path.to_owned(),
        why,
    };
    let text = std::fs::read_to_string(path).map_err(|e| why(e.to_string()))?;
    let token = text.lines().next().unwrap_or("").trim().to_owned();
    if token.is_empty() || token.chars().any(char::is_control) {
        return Err(why("its first line must hold the token".into()).into());
    }
    Ok(token)
}

/// Calls back with each import's outcome and duration as it ends.
pub type Present<'a> = dyn FnMut(&ImportOutcome, u128) -> Result<()> + 'a;

/// Pulls `request.peer_site`'s delta from its server and imports it,
/// counting each import attempt into `metrics`.
pub fn pull(
    site: &Site,
    request: &SyncRequest,
    progress: &dyn Fn() -> Box<dyn Progress>,
    present: &mut Present<'_>,
    metrics: &mut Metrics,
) -> Result<PullReport> {
    site.require_federation()?;
    let peer = request.peer()?;
    let scratch = super::scratch(&site.home.spool_dir())?;
    let mut receiver = Importing {
        site,
        peer_site: &request.peer_site,
        url: &peer.url,
        progress,
        present,
        metrics,
    };
    crate::sync::pull(&peer, scratch.dir(), &request.retry, &mut receiver)
}

struct Importing<'a, 'p> {
    site: &'a Site,
    peer_site: &'a str,
    url: &'a str,
    progress: &'a dyn Fn() -> Box<dyn Progress>,
    present: &'a mut Present<'p>,
    metrics: &'a mut Metrics,
}

impl Receiver for Importing<'_, '_> {
    type Error = Error;

    fn cursor(&mut self) -> Result<Option<Cursor>> {
        let store = self.site.open_store()?;
        Ok(store.site(self.peer_site)?.and_then(|s| s.last_cursor))
    }

    fn import(&mut self, file: &Path, _cursor: Cursor) -> Result<()> {
        let source = Source::Stream {
            command: "feedser sync pull",
            label: self.url.to_owned(),
            input: open_input(file)?,
        };
        let caller = Caller::Terminal {
            progress: (self.progress)(),
        };
        let request = ImportRequest {
            expected_site_id: Some(self.peer_site.to_owned()),
            ..ImportRequest::default()
        };
        let present = &mut *self.present;
        let (url, expected) = (self.url, self.peer_site);
        let shown = Box::new(
            move |result: Result<&ImportOutcome, &ImportError>, ms| match result {
                Ok(outcome) => present(outcome, ms),
                Err(e) => other_site(e, url, expected).map_or(Ok(()), Err),
            },
        );
        let report = import_bundle(self.site, &request, source, caller, shown);
        report.count(self.metrics);
        report.result.map(drop)
    }
}

/// The import's refusal of a part from another site than `expected`,
/// worded for a pull: the URL serves the wrong site.
fn other_site(error: &ImportError, url: &str, expected: &str) -> Option<Error> {
    let found = match error {
        ImportError::SiteMismatch { site, .. } => site,
        ImportError::UnknownSite { site } | ImportError::OwnSite { site } if site != expected => {
            site
        }
        _ => return None,
    };
    Some(
        SyncError::OtherSite {
            url: url.to_owned(),
            expected: expected.to_owned(),
            found: found.clone(),
        }
        .into(),
    )
}

/// What a push sent: where the peer stood, and each part with the
/// peer's answer.
pub struct Pushed {
    pub since: Option<Cursor>,
    pub bundles: Vec<(BundleReport, serde_json::Value)>,
}

/// Exports this site's delta after the peer's cursor and posts it.
pub fn push(
    site: &Site,
    request: &SyncRequest,
    progress: &dyn Progress,
    on_signal: OnSignal,
) -> Result<Pushed> {
    site.require_federation()?;
    let peer = request.peer()?;
    let since = crate::sync::peer_cursor(&peer, site.site_id()?, &request.retry)?;
    let scratch = super::scratch(&site.home.spool_dir())?;
    let export = ExportRequest {
        since,
        for_site: since.map(|_| request.peer_site.clone()),
        output: Some(scratch.dir().join("push.tar.zst")),
        signing: Some(Signing::default()),
        force: true,
        ..ExportRequest::default()
    };
    let report = export_bundle(site, &export, progress, &mut std::io::sink(), on_signal)?;
    let mut bundles = Vec::new();
    for bundle in report.bundles {
        let answer = crate::sync::send(&peer, Path::new(&bundle.path), &request.retry)?;
        bundles.push((bundle, answer));
    }
    Ok(Pushed { since, bundles })
}
