//! Errors of the HTTP API: [`ServeError`] stops the server from starting;
//! [`ApiError`] answers one request. Every status the API answers comes
//! from the one table in this file: [`ApiError::status`] for refusals of
//! the protocol layer, [`status_for`] for errors of the commands behind it
//! (by exit code and reason code).
//!
//! Invariant: no message here ever holds the API token.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::exit::Exit;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "refusing to listen on `{addr}` without a token: the API would be open to the network; pass --token-file FILE, or listen on 127.0.0.1"
    )]
    NeedsToken { addr: SocketAddr },
    #[error("cannot read the token file `{path}`: {source}")]
    TokenFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the token file `{path}` can be read by other users (mode {mode:04o}): run `chmod 600 {}`", path.display()
    )]
    TokenFileMode { path: PathBuf, mode: u32 },
    #[error(
        "the token in `{path}` is shorter than {min} characters: write a longer one (e.g. `openssl rand -hex 32`)"
    )]
    TokenTooShort { path: PathBuf, min: usize },
    #[error(
        "the site-token file `{path}` is not one stella wrote: set each site's token again with `stella feedser sites policy ID --token-file FILE`"
    )]
    SiteTokens { path: PathBuf },
    #[error(transparent)]
    Untrusted(#[from] crate::trust::Untrusted),
    #[error("cannot resolve the listen address `{addr}`: {detail}")]
    Address { addr: String, detail: String },
    #[error("cannot listen on `{addr}`: {source}; choose another --listen address")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error(
        "refusing to serve the token over plain HTTP on `{addr}`: anyone on the network path could read it; pass --tls-cert FILE --tls-key FILE, or --insecure-http on a network you trust"
    )]
    NeedsTls { addr: SocketAddr },
    #[error(transparent)]
    Tls(#[from] super::TlsError),
    #[error("the server failed: {0}")]
    Io(#[from] std::io::Error),
}

impl ServeError {
    pub fn exit(&self) -> Exit {
        match self {
            ServeError::NeedsToken { .. }
            | ServeError::NeedsTls { .. }
            | ServeError::Address { .. } => Exit::Usage,
            ServeError::TokenFile { .. }
            | ServeError::TokenFileMode { .. }
            | ServeError::TokenTooShort { .. }
            | ServeError::SiteTokens { .. }
            | ServeError::Untrusted(_)
            | ServeError::Tls(_) => Exit::Config,
            ServeError::Bind { .. } | ServeError::Io(_) => Exit::Failure,
        }
    }
}

/// A request refused before it reached a command.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("missing or wrong bearer token: send `Authorization: Bearer TOKEN`")]
    Unauthorized,
    /// Authenticated, but not allowed this: a peer site asking for what
    /// only the admin token may do, or credentials of two sites.
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("no such endpoint: see the README's HTTP API section")]
    NotFound,
    /// `allow`: the methods the endpoint takes (its `Allow` header).
    #[error("method not allowed on this endpoint: use {allow}")]
    MethodNotAllowed { allow: &'static str },
    #[error("the client was too slow to send its request")]
    Timeout,
    /// A `Content-Length` over `FederationImport.MaxBundleSizeBytes`: the
    /// import's own refusal of a bundle over it, said before the body is read.
    #[error("{}", too_large(*.size, *.limit))]
    TooLarge { size: u64, limit: u64 },
    #[error("the body must be `Content-Type: application/zstd`")]
    UnsupportedMediaType,
    #[error("the request head is over {limit} bytes or {max_headers} headers")]
    HeadTooLarge { limit: usize, max_headers: usize },
    #[error("unsupported transfer encoding `{0}`: send a Content-Length or `chunked`")]
    NotImplemented(String),
    #[error("the server is busy or stopping: retry later")]
    Unavailable,
}

impl ApiError {
    pub fn method_not_allowed(allow: &'static str) -> ApiError {
        ApiError::MethodNotAllowed { allow }
    }

    /// The status table of the protocol layer.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::BadRequest(_) => 400,
            ApiError::Unauthorized => 401,
            ApiError::Forbidden(_) => 403,
            ApiError::NotFound => 404,
            ApiError::MethodNotAllowed { .. } => 405,
            ApiError::Timeout => 408,
            ApiError::TooLarge { .. } => 413,
            ApiError::UnsupportedMediaType => 415,
            ApiError::HeadTooLarge { .. } => 431,
            ApiError::NotImplemented(_) => 501,
            ApiError::Unavailable => 503,
        }
    }

    pub fn reason_code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::Timeout => "request_timeout",
            ApiError::TooLarge { .. } => "bundle_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::HeadTooLarge { .. } => "head_too_large",
            ApiError::NotImplemented(_) => "transfer_encoding_not_implemented",
            ApiError::Unavailable => "unavailable",
        }
    }
}

/// The import's message for a bundle of `size` bytes over the config's `limit`.
fn too_large(size: u64, limit: u64) -> String {
    let error = crate::import::ImportError::TooLarge {
        size: crate::import::BundleSize::Exactly(size),
        limit,
        which: crate::import::SizeLimit::Config,
    };
    error.to_string()
}

/// The status of a command's error, from its exit code; a few reason codes
/// refine it (size caps are 413, an unreadable request body is 400).
pub fn status_for(exit: Exit, reason: &str) -> u16 {
    match reason {
        "bundle_too_large" => return 413,
        "read_failed" => return 400,
        _ => {}
    }
    match exit {
        Exit::Success => 200,
        Exit::Usage => 400,
        Exit::BundleInvalid | Exit::SignatureInvalid => 422,
        Exit::PolicyRefused => 403,
        Exit::CursorRefused | Exit::Conflict => 409,
        Exit::NotFound => 404,
        Exit::Store | Exit::Interrupted | Exit::Terminated => 503,
        Exit::Failure
        | Exit::Config
        | Exit::PartialIngest
        | Exit::Key
        | Exit::Stale
        | Exit::AuditBroken
        | Exit::Unhealthy => 500,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_exit_code_has_its_status() {
        let table: Vec<(u8, u16)> = Exit::ALL
            .iter()
            .map(|e| (e.code(), status_for(*e, "")))
            .collect();
        let expected = [
            (0, 200),
            (1, 500),
            (2, 400),
            (3, 500),
            (4, 422),
            (5, 422),
            (6, 403),
            (7, 409),
            (8, 409),
            (9, 500),
            (10, 503),
            (11, 500),
            (12, 404),
            (13, 500),
            (14, 500),
            (15, 500),
            (130, 503),
            (143, 503),
        ];
        assert_eq!(table, expected);
        assert_eq!(status_for(Exit::PolicyRefused, "bundle_too_large"), 413);
        assert_eq!(status_for(Exit::Failure, "read_failed"), 400);
    }

    #[test]
    fn protocol_errors_have_their_status() {
        let table = [
            (ApiError::BadRequest("x".into()), 400),
            (ApiError::Unauthorized, 401),
            (ApiError::Forbidden("x".into()), 403),
            (ApiError::NotFound, 404),
            (ApiError::method_not_allowed("GET"), 405),
            (ApiError::Timeout, 408),
            (ApiError::TooLarge { size: 2, limit: 1 }, 413),
            (ApiError::UnsupportedMediaType, 415),
            (
                ApiError::HeadTooLarge {
                    limit: 1,
                    max_headers: 1,
                },
                431,
            ),
            (ApiError::NotImplemented("gzip".into()), 501),
            (ApiError::Unavailable, 503),
        ];
        for (error, status) in table {
            assert_eq!(error.status(), status, "{error:?}");
        }
    }
}
