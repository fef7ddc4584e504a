//! `POST /api/v1/federation/import`: the body is a bundle
//! (`Content-Type: application/zstd`), streamed through the same pipeline
//! as `feedser bundle import` (`site::import`) (journal, ledger, quarantine, audit record
//! with command `feedser serve`), with the seed's query parameters
//! `dry_run`, `skip_signature`, `on_conflict`, `force` (with `reason`).
//!
//! Order of refusals, all before a byte of the body is read: 415 wrong
//! content type, 400 bad parameters or no body, 413 a `Content-Length`
//! over `FederationImport.MaxBundleSizeBytes`. A chunked body is cut at
//! the same cap by the import's own size limit (413 as well).

use super::app::{App, error_response};
use crate::error::Error;
use crate::import::ImportOutcome;
use crate::import::Input;
use crate::model::ConflictStrategy;
use crate::serve::{ApiError, ErrorBody, Framing, Request, Response, query, status_for};
use crate::site::import::{self, Caller, Failure, ImportRequest, Source, import_bundle};

/// The audit record's `command` for imports over HTTP.
const COMMAND: &str = "feedser serve";

pub fn handle<'a>(app: &'a App, request: Request) -> Response<'a> {
    let head = &request.head;
    let content_type = head.header("content-type").unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("application/zstd") {
        return Response::error(&ApiError::UnsupportedMediaType);
    }
    let settings = match settings(&head.query) {
        Ok(settings) => ImportRequest {
            sender: request.peer_site.clone(),
            ..settings
        },
        Err(e) => return Response::error(&e),
    };
    let limit = app.site.config.federation_import.max_bundle_size_bytes;
    let len = match head.framing {
        Framing::Length(size) if size > limit => {
            return Response::error(&ApiError::TooLarge { size, limit });
        }
        Framing::Length(size) => Some(size),
        Framing::Chunked => None,
        Framing::None => None,
    };
    let label = format!(
        "http:{}",
        head.peer.map_or_else(|| "-".to_owned(), |p| p.to_string())
    );
    let Some(body) = request.body else {
        let missing = "the bundle is missing: send it as the request body";
        return Response::error(&ApiError::BadRequest(missing.to_owned()));
    };
    let _one_at_a_time = app.imports.lock().unwrap_or_else(|p| p.into_inner());
    if app.cancel.requested() {
        return Response::error(&ApiError::Unavailable);
    }
    let input = Input {
        reader: Box::new(body),
        len,
    };
    let source = Source::Stream {
        command: COMMAND,
        label,
        input,
    };
    let caller = Caller::Server {
        cancel: app.cancel.clone(),
    };
    let report = import_bundle(app.site, &settings, source, caller, Box::new(|_, _| Ok(())));
    app.metrics(|m| report.count(m));
    answer(app, report.result, report.duration_ms)
}

fn answer<'a>(app: &App, result: Result<ImportOutcome, Error>, duration_ms: u128) -> Response<'a> {
    match result {
        Ok(outcome) => Response::json(
            200,
            &import::Response {
                outcome: &outcome,
                duration_ms,
            },
        ),
        Err(_) if app.cancel.requested() => {
            let why = "the server is stopping: the import was rolled back, nothing was committed";
            Response::json(503, &ErrorBody::new("cancelled", why.to_owned()))
        }
        Err(Error::Import(e)) => Response::json(
            status_for(e.exit(), e.reason_code()),
            &Failure::http(&e, duration_ms),
        ),
        Err(e) => error_response(&e),
    }
}

fn settings(raw_query: &str) -> Result<ImportRequest, ApiError> {
    let mut s = ImportRequest::default();
    for (key, value) in query::parse(raw_query)? {
        match key.as_str() {
            "dry_run" => s.dry_run = query::boolean(&key, &value)?,
            "skip_signature" => s.skip_signature = query::boolean(&key, &value)?,
            "force" => s.force = query::boolean(&key, &value)?,
            // Kept in the ledger and shown by `sites history`: one line of
            // text (and no NUL, which PostgreSQL cannot store).
            "reason" if value.chars().any(char::is_control) => {
                let why = "`reason` holds a control character: send one line of text";
                return Err(ApiError::BadRequest(why.to_owned()));
            }
            "reason" if !value.trim().is_empty() => s.reason = Some(value),
            "on_conflict" => s.on_conflict = Some(on_conflict(&value)?),
            other => {
                let why = format!("unknown or empty query parameter `{other}`");
                return Err(ApiError::BadRequest(why));
            }
        }
    }
    if s.reason.is_some() && !s.force {
        let why =
            "`reason` says why `force=true` overrides the cursor check: give it with `force=true`";
        return Err(ApiError::BadRequest(why.to_owned()));
    }
    Ok(s)
}

fn on_conflict(value: &str) -> Result<ConflictStrategy, ApiError> {
    ConflictStrategy::parse(value).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "`on_conflict` must be prefer_remote, prefer_local, fail or newest, not `{value}`"
        ))
    })
}
