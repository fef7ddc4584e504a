//! The read-only endpoints: sync status, export, metrics. They open the
//! store per request and never wait for an import (readers never take the
//! home's writer lock). A peer site's status holds its own row only.

use std::io;

use serde::Serialize;

use super::app::{App, error_response};
use crate::bundle::WriteOptions;
use crate::cursor::Cursor;
use crate::error::{Error, Result};
use crate::export::{Exporter, Part};
use crate::metrics::Operation;
use crate::serve::{ApiError, Principal, Response, query};
use crate::store::Site;

#[derive(Serialize)]
struct SyncStatus<'a> {
    /// `sites list --json`'s sites (with the seed's `total_items_imported`).
    sites: Vec<&'a Site>,
    local_cursor: Option<Cursor>,
}

/// A site sees its own row only; the admin, every site's.
pub fn status<'a>(app: &'a App, principal: &Principal) -> Response<'a> {
    let read = || -> Result<(Vec<Site>, Option<Cursor>)> {
        let store = app.site.open_store()?;
        Ok((store.sites()?, store.local_cursor()?))
    };
    match read() {
        Ok((sites, local_cursor)) => {
            let sites = sites
                .iter()
                .filter(|site| match principal {
                    Principal::Admin => true,
                    Principal::Site(id) => &site.site_id == id,
                })
                .collect();
            Response::json(
                200,
                &SyncStatus {
                    sites,
                    local_cursor,
                },
            )
        }
        Err(e) => error_response(&e),
    }
}

pub fn metrics<'a>(app: &'a App) -> Response<'a> {
    let text = app.metrics(|m| m.render());
    Response::bytes(200, "text/plain; version=0.0.4", text.into_bytes())
}

/// `?since=CURSOR`: the first bundle of the delta (or everything without
/// `since`). When the delta is longer than `Federation.DefaultMaxItems`,
/// `X-Stella-More: true` says to ask again from `X-Stella-Export-Cursor`.
pub fn export<'a>(app: &'a App, raw_query: &str) -> Response<'a> {
    let since = match since(raw_query) {
        Ok(since) => since,
        Err(e) => return Response::error(&e),
    };
    let ready = || -> Result<_> {
        let site_id = app.site.site_id()?.to_owned();
        let store = app.site.open_store()?;
        let max_items = app.site.config.federation.default_max_items;
        let parts = crate::export::plan(store.as_ref(), since, max_items, None)?;
        let signer = crate::site::signer::signer(
            app.site,
            app.key.as_deref(),
            app.passphrase_file.as_deref(),
        )?;
        Ok((site_id, store, parts, signer))
    };
    let (site_id, store, parts, signer) = match ready() {
        Ok(ready) => ready,
        Err(e) => {
            app.metrics(|m| {
                m.failure(
                    Operation::Export,
                    None,
                    crate::site::monitor::reason_code(&e),
                )
            });
            return error_response(&e);
        }
    };
    let Some(part) = parts.first().cloned() else {
        return Response::bytes(204, "application/zstd", Vec::new());
    };
    let more = parts.len() > 1;
    let upto = part.upto.to_string();
    let writer = Box::new(move |out: &mut dyn io::Write| {
        write_part(app, &site_id, store.as_ref(), &signer, &part, out)
    });
    let mut response = Response::stream(200, "application/zstd", writer);
    response.headers.push(("X-Stella-Export-Cursor", upto));
    response.headers.push(("X-Stella-More", more.to_string()));
    response
}

fn write_part(
    app: &App,
    site_id: &str,
    store: &dyn crate::store::Store,
    signer: &crate::keys::Signer,
    part: &Part,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let started = std::time::Instant::now();
    let config = &app.site.config.federation;
    // A locked spool of its own, so `journal gc` leaves it alone (#28).
    let scratch = crate::site::scratch(&app.site.home.spool_dir())
        .map_err(|e| io::Error::other(e.to_string()))?;
    let spool_dir = scratch.dir().to_owned();
    let exporter = Exporter {
        skip_via: None,
        store,
        site_id,
        signer: Some(signer),
        options: WriteOptions {
            level: config.default_compression_level,
            threads: crate::bundle::worker_threads(),
            ..WriteOptions::default()
        },
        spool_dir: &spool_dir,
        progress: &crate::progress::NoProgress,
    };
    let result = exporter.write(part, out).map_err(Error::from);
    app.metrics(|m| {
        let moved = result.as_ref().map(|w| (1, w.manifest.counts.total));
        crate::site::monitor::export(m, moved, Some(site_id), started.elapsed().as_secs_f64());
    });
    match result {
        Ok(written) => {
            log::info!(
                site_id = site_id,
                bundle_hash = written.bundle_hash.as_str(),
                cursor:% = part.upto;
                "exported bundle over HTTP"
            );
            Ok(())
        }
        Err(e) => Err(io::Error::other(e.to_string())),
    }
}

fn since(raw_query: &str) -> Result<Option<Cursor>, ApiError> {
    let mut since = None;
    for (key, value) in query::parse(raw_query)? {
        match key.as_str() {
            "since" if !value.is_empty() => {
                let cursor =
                    Cursor::point(&value).map_err(|e| ApiError::BadRequest(e.to_string()))?;
                since = Some(cursor);
            }
            "since" => {}
            other => {
                return Err(ApiError::BadRequest(format!(
                    "unknown query parameter `{other}`"
                )));
            }
        }
    }
    Ok(since)
}
