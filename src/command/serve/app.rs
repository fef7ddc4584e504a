//! The API's handler: authentication, routing, the request log and the
//! running metrics `/metrics` serves.
//!
//! Invariants: every endpoint but `/healthz` needs the bearer token when
//! one is configured, and is checked before routing, so an unauthenticated
//! client learns nothing about the routes; imports run one at a time (the
//! server's exclusive worker, the `imports` mutex, then the home's writer
//! lock as for the CLI), in the order they came, and never hold up a GET;
//! so a second import from a peer that is importing waits its turn and
//! finds the bundle in the ledger, never runs twice; the token is never
//! logged (no header is).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Mutex;

use crate::error::Error;
use crate::import::Cancel;
use crate::metrics::Metrics;
use crate::serve::{
    ApiError, ErrorBody, Handler, Head, Request, Response, TlsRefusal, Token, status_for,
};
use crate::site::Site;

pub const IMPORT: &str = "/api/v1/federation/import";
pub const STATUS: &str = "/api/v1/federation/sync/status";
pub const EXPORT: &str = "/api/v1/federation/export";
pub const HEALTHZ: &str = "/healthz";
pub const METRICS: &str = "/metrics";

pub struct App<'c> {
    pub site: &'c Site,
    token: Option<Token>,
    pub cancel: Cancel,
    /// Held for the whole of an import.
    pub imports: Mutex<()>,
    metrics: Mutex<Metrics>,
    pub key: Option<String>,
    pub passphrase_file: Option<PathBuf>,
}

impl<'c> App<'c> {
    pub fn new(
        site: &'c Site,
        token: Option<Token>,
        cancel: Cancel,
        key: Option<String>,
        passphrase_file: Option<PathBuf>,
    ) -> App<'c> {
        App {
            site,
            token,
            cancel,
            imports: Mutex::new(()),
            metrics: Mutex::new(Metrics::default()),
            key,
            passphrase_file,
        }
    }

    /// Runs `f` on the running metrics.
    pub fn metrics<T>(&self, f: impl FnOnce(&mut Metrics) -> T) -> T {
        let mut metrics = self.metrics.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut metrics)
    }

    fn authorized(&self, request: &Request) -> bool {
        match &self.token {
            None => true,
            Some(token) => token.accepts(request.head.header("authorization")),
        }
    }

    fn route<'a>(&'a self, request: Request) -> Response<'a> {
        let method = request.head.method.clone();
        let path = request.head.path.clone();
        if path == HEALTHZ {
            return match method.as_str() {
                "GET" => Response::bytes(200, "text/plain", b"ok\n".to_vec()),
                _ => Response::error(&ApiError::method_not_allowed("GET")),
            };
        }
        if !self.authorized(&request) {
            return Response::error(&ApiError::Unauthorized);
        }
        match (method.as_str(), path.as_str()) {
            ("POST", IMPORT) => super::import::handle(self, request),
            ("GET", STATUS) => super::read::status(self),
            ("GET", EXPORT) => super::read::export(self, &request.head.query),
            ("GET", METRICS) => super::read::metrics(self),
            (_, IMPORT) => Response::error(&ApiError::method_not_allowed("POST")),
            (_, STATUS | EXPORT | METRICS) => Response::error(&ApiError::method_not_allowed("GET")),
            _ => Response::error(&ApiError::NotFound),
        }
    }
}

/// The metrics label of a path: the route, or `other` (bounded cardinality).
fn route_label(path: &str) -> &'static str {
    [IMPORT, STATUS, EXPORT, HEALTHZ, METRICS]
        .into_iter()
        .find(|r| *r == path)
        .unwrap_or("other")
}

impl Handler for App<'_> {
    fn handle<'a>(&'a self, request: Request) -> Response<'a> {
        let (method, path) = (request.head.method.clone(), request.head.path.clone());
        let peer = request
            .head
            .peer
            .map_or_else(|| "-".to_owned(), |p| p.to_string());
        let response = self.route(request);
        let status = response.status;
        self.metrics(|m| m.request(route_label(&path), status));
        log::info!(peer = peer.as_str(), status = status; "{method} {path} {status}");
        response
    }

    fn exclusive(&self, head: &Head) -> bool {
        head.method == "POST" && head.path == IMPORT
    }

    fn refused(&self, peer: Option<SocketAddr>, error: &ApiError) {
        let peer = peer.map_or_else(|| "-".to_owned(), |p| p.to_string());
        self.metrics(|m| m.request("-", error.status()));
        log::info!(peer = peer.as_str(), status = error.status(); "refused: {error}");
    }

    fn handshake_failed(&self, peer: Option<SocketAddr>, refusal: &TlsRefusal) {
        let peer = peer.map_or_else(|| "-".to_owned(), |p| p.to_string());
        log::info!(peer = peer.as_str(); "refused: {refusal}");
    }
}

/// The JSON answer for an error of a command behind the API.
pub fn error_response<'a>(error: &Error) -> Response<'a> {
    let reason = crate::site::monitor::reason_code(error);
    let message = match error {
        Error::Export(e) => e.render(crate::import::Surface::Http),
        e => e.to_string(),
    };
    let body = ErrorBody::new(reason, message);
    Response::json(status_for(error.exit(), reason), &body)
}
