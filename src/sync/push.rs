//! `sync push`: where the peer stands for this site, and the `POST` of one
//! bundle to its import endpoint.

use std::path::Path;

use crate::cursor::Cursor;

use super::http::Peer;
use super::pull::refusal;
use super::{Fault, Retry, SyncError, with_retries};

const STATUS: &str = "/api/v1/federation/sync/status";
const IMPORT: &str = "/api/v1/federation/import";

/// The last cursor the peer imported from `site_id` (`None`: nothing
/// yet), from its sync status; a peer that does not list the site is an
/// error (it would refuse every bundle).
pub fn peer_cursor(peer: &Peer, site_id: &str, retry: &Retry) -> Result<Option<Cursor>, SyncError> {
    let mut retries = 0;
    let text = with_retries(peer, retry, &mut retries, || {
        let answer = peer.get(STATUS).map_err(Fault::Dropped)?;
        match answer.status {
            200 => answer.text().map_err(Fault::Dropped),
            503 => Err(Fault::Dropped(std::io::Error::other(
                "the peer is busy (503)",
            ))),
            _ => Err(Fault::Final(refusal(peer, answer))),
        }
    })?;
    let protocol = |what: &str| SyncError::Protocol {
        url: peer.url.clone(),
        what: what.to_owned(),
    };
    let doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|_| protocol("a sync status that is not JSON"))?;
    let sites = doc["sites"]
        .as_array()
        .ok_or_else(|| protocol("a sync status without `sites`"))?;
    let entry = sites
        .iter()
        .find(|s| s["site_id"] == site_id)
        .ok_or_else(|| SyncError::UnknownAtPeer {
            url: peer.url.clone(),
            site: site_id.to_owned(),
        })?;
    match &entry["last_cursor"] {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(c) => c
            .parse()
            .map(Some)
            .map_err(|_| protocol("a `last_cursor` that is not a cursor")),
        _ => Err(protocol("a `last_cursor` that is not a string")),
    }
}

/// `POST`s the bundle `file` to the peer's import; its answer document.
/// A dropped connection is tried again: a part the peer took already is
/// a no-op success there.
pub fn send(peer: &Peer, file: &Path, retry: &Retry) -> Result<serde_json::Value, SyncError> {
    let mut retries = 0;
    with_retries(peer, retry, &mut retries, || {
        let spool = |source| {
            let path = file.to_owned();
            Fault::Final(SyncError::Spool { path, source })
        };
        let mut body = std::fs::File::open(file).map_err(spool)?;
        let len = body.metadata().map_err(spool)?.len();
        let answer = peer.post(IMPORT, &mut body, len).map_err(Fault::Dropped)?;
        match answer.status {
            200 => {
                let text = answer.text().map_err(Fault::Dropped)?;
                Ok(serde_json::from_str(&text).unwrap_or_default())
            }
            503 => Err(Fault::Dropped(std::io::Error::other(
                "the peer is busy (503)",
            ))),
            _ => Err(Fault::Final(refusal(peer, answer))),
        }
    })
}
