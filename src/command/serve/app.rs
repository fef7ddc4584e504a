//! The API's handler: authentication (the request's [`Principal`]),
//! routing, the request log and the running metrics `/metrics` serves.
//!
//! Invariants: every endpoint but `/healthz` needs a credential when the
//! server has an admin token (the admin's, or a site's: its token or its
//! client certificate), and is checked before routing, so an
//! unauthenticated client learns nothing about the routes; site tokens are
//! read from the home at each request, so `sites policy ID --token-file`
//! or `--no-token` takes effect without a restart; a site sees only its
//! own row of the status, imports only its own bundles, and not
//! `/metrics`. Imports are authenticated and their bodies spooled on the
//! connection's thread (`import`), then run one at a time (the server's
//! exclusive worker, the `imports` mutex, then the home's writer lock as
//! for the CLI) and never hold up a GET; a sender's second import waits
//! for its first (`senders`), never runs twice; no token is ever logged
//! (no header is).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Mutex;

use crate::error::Error;
use crate::import::Cancel;
use crate::metrics::Metrics;
use crate::serve::{
    ApiError, Credentials, ErrorBody, Handler, Head, Prepared, Principal, Request, Response,
    SITE_TOKENS_FILE, SiteTokens, TlsRefusal, Token, status_for,
};
use crate::site::Site;

use super::senders::Senders;

pub const IMPORT: &str = "/api/v1/federation/import";
pub const STATUS: &str = "/api/v1/federation/sync/status";
pub const EXPORT: &str = "/api/v1/federation/export";
pub const HEALTHZ: &str = "/healthz";
pub const METRICS: &str = "/metrics";

pub struct App<'c> {
    pub site: &'c Site,
    /// `--token-file`: the admin token.
    token: Option<Token>,
    pub cancel: Cancel,
    /// Held for the whole of an import.
    pub imports: Mutex<()>,
    /// The senders with an import in flight.
    pub senders: Senders,
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
            senders: Senders::default(),
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

    /// Who sent `request`: the admin token, a site's token (read from the
    /// home now) or its client certificate; or the refusal.
    pub fn principal<'a>(&self, request: &Request) -> Result<Principal, Response<'a>> {
        let path = self.site.home.root().join(SITE_TOKENS_FILE);
        let sites = match SiteTokens::load(&path) {
            Ok(tokens) => tokens.tokens(),
            Err(e) => return Err(error_response(&e.into())),
        };
        let credentials = Credentials {
            admin: self.token.as_ref(),
            sites: &sites,
        };
        let authorization = request.head.header("authorization");
        credentials
            .resolve(authorization, request.peer_site.as_deref())
            .map_err(|e| Response::error(&e))
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
        let principal = match self.principal(&request) {
            Ok(principal) => principal,
            Err(refused) => return refused,
        };
        match (method.as_str(), path.as_str()) {
            ("POST", IMPORT) => match super::import::prepare(self, request) {
                Ok(run) => run(),
                Err(refused) => refused,
            },
            ("GET", STATUS) => super::read::status(self, &principal),
            ("GET", EXPORT) => super::read::export(self, &request.head.query),
            ("GET", METRICS) if principal != Principal::Admin => {
                let why = "`/metrics` counts every site's imports: it needs the admin token";
                Response::error(&ApiError::Forbidden(why.to_owned()))
            }
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

/// What the request log says of a request.
struct Seen {
    method: String,
    path: String,
    peer: String,
}

impl Seen {
    fn of(head: &Head) -> Seen {
        Seen {
            method: head.method.clone(),
            path: head.path.clone(),
            peer: head.peer.map_or_else(|| "-".to_owned(), |p| p.to_string()),
        }
    }
}

impl App<'_> {
    /// Counts and logs the answer to a request.
    fn answered<'a>(&self, seen: &Seen, response: Response<'a>) -> Response<'a> {
        let Seen { method, path, peer } = seen;
        let status = response.status;
        self.metrics(|m| m.request(route_label(path), status));
        log::info!(peer = peer.as_str(), status = status; "{method} {path} {status}");
        response
    }
}

impl Handler for App<'_> {
    fn handle<'a>(&'a self, request: Request) -> Response<'a> {
        let seen = Seen::of(&request.head);
        let response = self.route(request);
        self.answered(&seen, response)
    }

    fn exclusive(&self, head: &Head) -> bool {
        head.method == "POST" && head.path == IMPORT
    }

    /// An import: authenticated, checked and its body spooled here, on
    /// the connection's thread; only the import itself takes the worker.
    fn prepare<'a>(&'a self, request: Request) -> Prepared<'a> {
        let seen = Seen::of(&request.head);
        match super::import::prepare(self, request) {
            Ok(run) => Prepared::Run(Box::new(move || self.answered(&seen, run()))),
            Err(refused) => Prepared::Answer(self.answered(&seen, refused)),
        }
    }

    fn refused(&self, peer: Option<SocketAddr>, error: &ApiError) {
        let peer = peer.map_or_else(|| "-".to_owned(), |p| p.to_string());
        self.metrics(|m| m.request("-", error.status()));
        log::info!(peer = peer.as_str(), status = error.status(); "refused: {error}");
    }

    fn handshake_failed(&self, peer: Option<SocketAddr>, refusal: &TlsRefusal) {
        let peer = peer.map_or_else(|| "-".to_owned(), |p| p.to_string());
        let level = match refusal {
            TlsRefusal::Closed => log::Level::Debug,
            _ => log::Level::Info,
        };
        log::log!(level, peer = peer.as_str(); "refused: {refusal}");
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
