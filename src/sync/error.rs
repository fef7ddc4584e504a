//! What the sync client reports, and the exit code of each: a refusal by
//! the peer keeps the code the same refusal has at the command line.

use crate::exit::Exit;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    #[error(
        "`{url}`: https is not supported yet: use an http:// URL (for example over an SSH tunnel)"
    )]
    Https { url: String },
    #[error("`{url}` is not a URL the sync client takes: write http://HOST[:PORT][/PREFIX]")]
    BadUrl { url: String },
    #[error("cannot read the token file `{path}`: {why}")]
    Token {
        path: std::path::PathBuf,
        why: String,
    },
    #[error(
        "the connection to `{url}` failed {tries} times ({source}): check that `stella feedser serve` runs there, then run again; it resumes from the last cursor imported"
    )]
    Dropped {
        url: String,
        tries: u32,
        source: std::io::Error,
    },
    /// The peer answered with an error document (or none).
    #[error("`{url}` answered {status} ({reason}): {message}")]
    Refused {
        url: String,
        status: u16,
        reason: String,
        message: String,
    },
    #[error("`{url}` answered what the sync client cannot use: {what}")]
    Protocol { url: String, what: String },
    #[error(
        "`{url}` serves bundles of site `{found}`, not `{expected}`: check --from, or name the site it serves"
    )]
    OtherSite {
        url: String,
        expected: String,
        found: String,
    },
    #[error(
        "`{url}` does not know this site `{site}`: register it there first (`stella feedser sites add {site} --key …`)"
    )]
    UnknownAtPeer { url: String, site: String },
    #[error("cannot spool a bundle in `{path}`: {source}")]
    Spool {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

impl SyncError {
    /// A stable snake_case code, for metrics and logs.
    pub fn reason_code(&self) -> &str {
        match self {
            SyncError::Https { .. } => "https_not_supported",
            SyncError::BadUrl { .. } => "bad_url",
            SyncError::Token { .. } => "token_file",
            SyncError::Dropped { .. } => "connection_failed",
            SyncError::Refused { reason, .. } => reason,
            SyncError::Protocol { .. } => "protocol",
            SyncError::OtherSite { .. } => "other_site",
            SyncError::UnknownAtPeer { .. } => "unknown_site",
            SyncError::Spool { .. } => "spool_failed",
        }
    }

    pub fn exit(&self) -> Exit {
        match self {
            SyncError::Https { .. } | SyncError::BadUrl { .. } => Exit::Usage,
            SyncError::Token { .. } => Exit::Config,
            SyncError::Dropped { .. } | SyncError::Protocol { .. } | SyncError::Spool { .. } => {
                Exit::Failure
            }
            SyncError::OtherSite { .. } | SyncError::UnknownAtPeer { .. } => Exit::PolicyRefused,
            SyncError::Refused { status, reason, .. } => refused(*status, reason),
        }
    }
}

/// The import's reason codes of a signature refusal (exit 5).
const SIGNATURE_REASONS: [&str; 5] = [
    "unsigned",
    "skip_signature_not_allowed",
    "no_trusted_keys",
    "key_revoked",
    "signature_invalid",
];

/// The CLI's code for what the peer's status (and reason) says: the
/// server derives its status from the same table (README "HTTP API").
fn refused(status: u16, reason: &str) -> Exit {
    match status {
        400 => Exit::Usage,
        401 => Exit::Config,
        403 | 413 => Exit::PolicyRefused,
        404 => Exit::NotFound,
        409 if reason == "conflict" => Exit::Conflict,
        409 => Exit::CursorRefused,
        422 if SIGNATURE_REASONS.contains(&reason) => Exit::SignatureInvalid,
        422 => Exit::BundleInvalid,
        503 => Exit::Store,
        _ => Exit::Failure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_keeps_the_command_lines_code() {
        let code = |status, reason: &str| refused(status, reason).code();
        assert_eq!(code(409, "cursor_not_after_current"), 7);
        assert_eq!(code(409, "conflict"), 8);
        assert_eq!(code(422, "no_trusted_keys"), 5);
        assert_eq!(code(422, "signature_invalid"), 5);
        assert_eq!(code(422, "sha256_mismatch"), 4);
        assert_eq!(code(403, "site_disabled"), 6);
        assert_eq!(code(401, "unauthorized"), 3);
        assert_eq!(code(500, "store_error"), 1);
    }
}
