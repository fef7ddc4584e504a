//! `sync pull`: fetch the peer's delta part by part and hand each whole
//! part to the caller's import, until the peer has nothing more.

use std::io::Write;
use std::path::Path;

use crate::cursor::Cursor;

use super::http::{Answer, Peer, escape};
use super::{Fault, Retry, SyncError, with_retries};

const EXPORT: &str = "/api/v1/federation/export";

/// The caller's side of a pull: where the site stands for the peer, and
/// the import of one bundle spooled whole to a file.
pub trait Receiver {
    type Error: From<SyncError>;
    /// The last cursor imported from the peer (`None`: a full export).
    fn cursor(&mut self) -> Result<Option<Cursor>, Self::Error>;
    /// Imports the bundle in `file`, which the peer said ends at `cursor`.
    fn import(&mut self, file: &Path, cursor: Cursor) -> Result<(), Self::Error>;
}

/// How a pull ended.
#[derive(Debug, Default)]
pub struct PullReport {
    /// Bundles handed to the import.
    pub bundles: u64,
    /// Where the site stands for the peer at the end.
    pub cursor: Option<Cursor>,
    /// Requests tried again after a dropped connection.
    pub retries: u32,
}

/// One bundle of the delta, spooled.
struct Fetched {
    file: tempfile::NamedTempFile,
    cursor: Cursor,
    more: bool,
}

/// Pulls everything after the receiver's cursor from `peer`, spooling
/// each bundle in `spool`.
pub fn pull<R: Receiver>(
    peer: &Peer,
    spool: &Path,
    retry: &Retry,
    receiver: &mut R,
) -> Result<PullReport, R::Error> {
    let mut report = PullReport::default();
    loop {
        let since = receiver.cursor()?;
        report.cursor = since;
        let fetched = with_retries(peer, retry, &mut report.retries, || {
            fetch(peer, since, spool)
        })?;
        let Some(fetched) = fetched else {
            return Ok(report);
        };
        if since.is_some_and(|s| fetched.cursor <= s) {
            let what = format!("a bundle up to `{}`, not after `since`", fetched.cursor);
            let url = peer.url.clone();
            return Err(SyncError::Protocol { url, what }.into());
        }
        receiver.import(fetched.file.path(), fetched.cursor)?;
        report.bundles += 1;
        report.cursor = Some(fetched.cursor);
        if !fetched.more {
            return Ok(report);
        }
    }
}

/// One `GET` of the export after `since`: `None` for 204 (up to date).
fn fetch(peer: &Peer, since: Option<Cursor>, spool: &Path) -> Result<Option<Fetched>, Fault> {
    let path = match since {
        Some(c) => format!("{EXPORT}?since={}", escape(&c.to_string())),
        None => EXPORT.to_owned(),
    };
    let answer = peer.get(&path).map_err(Fault::Dropped)?;
    match answer.status {
        200 => spool_body(peer, answer, spool).map(Some),
        204 => Ok(None),
        503 => Err(Fault::Dropped(std::io::Error::other(
            "the peer is busy or stopping (503)",
        ))),
        _ => Err(Fault::Final(refusal(peer, answer))),
    }
}

/// The whole body in a file beside the home's other spools, with the
/// cursor and `more` its headers name.
fn spool_body(peer: &Peer, mut answer: Answer, spool: &Path) -> Result<Fetched, Fault> {
    let protocol = |what: &str| {
        let (url, what) = (peer.url.clone(), what.to_owned());
        Fault::Final(SyncError::Protocol { url, what })
    };
    let cursor = answer
        .header("x-stella-export-cursor")
        .ok_or_else(|| protocol("a bundle without X-Stella-Export-Cursor"))?
        .parse::<Cursor>()
        .map_err(|_| protocol("an X-Stella-Export-Cursor that is not a cursor"))?;
    let more = answer.header("x-stella-more") == Some("true");
    let spool_error = |source| {
        let path = spool.to_owned();
        Fault::Final(SyncError::Spool { path, source })
    };
    let mut file = tempfile::Builder::new()
        .prefix("pull-")
        .suffix(".tar.zst")
        .tempfile_in(spool)
        .map_err(spool_error)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file.as_file_mut());
    std::io::copy(&mut answer.body, &mut out).map_err(Fault::Dropped)?;
    out.flush().map_err(spool_error)?;
    drop(out);
    Ok(Fetched { file, cursor, more })
}

/// The peer's error document as a refusal (its `reason` and `error`).
pub(super) fn refusal(peer: &Peer, answer: Answer) -> SyncError {
    let status = answer.status;
    let text = answer.text().unwrap_or_default();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let field = |name: &str| doc[name].as_str().map(str::to_owned);
    SyncError::Refused {
        url: peer.url.clone(),
        status,
        reason: field("reason").unwrap_or_else(|| "http_error".into()),
        message: field("error")
            .unwrap_or_else(|| crate::escape::terminal(text.trim()).into_owned()),
    }
}
