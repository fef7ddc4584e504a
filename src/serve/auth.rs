//! Who sends a request ([`Principal`]): the holder of the admin token, or
//! a peer site, known by its own token or by a verified client
//! certificate bound to its site id (`Request::peer_site`).
//!
//! Tokens are read from private files and kept only as SHA-256 digests:
//! the admin token of `serve --token-file` in memory, each site's in the
//! home's site-token file (`tokens`), written by `sites policy ID
//! --token-file`. A bearer token is hashed once and compared with every
//! digest with `subtle`'s `ConstantTimeEq`, all of them each time, so
//! neither the position of a wrong byte, the token's length, nor which
//! digest matched shows in the time taken. (`subtle` is already in the
//! tree through p256.)
//!
//! Rules ([`Credentials::resolve`]): a bearer token that matches nothing
//! is refused (401); the admin token is [`Principal::Admin`]; a site's
//! token or certificate is [`Principal::Site`], and a certificate and a
//! token of two different sites on one request are refused (403). With
//! no token and no certificate, the request is the admin's only when the
//! server has no admin token (it then listens on loopback only).
//!
//! Invariant: a token is never formatted: [`Token`] has no `Display`, its
//! `Debug` prints a placeholder, and no refusal names one.

mod tokens;

use std::path::Path;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub use tokens::{SITE_TOKENS_FILE, SiteTokens};

use super::{ApiError, ServeError};

/// Tokens shorter than this are refused.
pub const MIN_TOKEN_LEN: usize = 16;

/// A token, as its SHA-256 digest.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    digest: [u8; 32],
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Who a request is from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// The admin token's holder, or anyone on a server without one.
    Admin,
    /// A peer site: its own token or its client certificate.
    Site(String),
}

impl Token {
    pub fn new(secret: &str) -> Token {
        Token {
            digest: Sha256::digest(secret.as_bytes()).into(),
        }
    }

    /// Reads a token file: one line of at least [`MIN_TOKEN_LEN`]
    /// characters, not readable by group or others.
    pub fn load(path: &Path) -> Result<Token, ServeError> {
        let io = |source| ServeError::TokenFile {
            path: path.to_owned(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        check_mode(path, &meta)?;
        let text = std::fs::read_to_string(path).map_err(io)?;
        let secret = text.trim_end_matches(['\n', '\r']);
        if secret.chars().count() < MIN_TOKEN_LEN {
            return Err(ServeError::TokenTooShort {
                path: path.to_owned(),
                min: MIN_TOKEN_LEN,
            });
        }
        Ok(Token::new(secret))
    }

    /// The digest in lowercase hex, as the site-token file keeps it.
    pub fn hex_digest(&self) -> String {
        hex::encode(self.digest)
    }

    fn from_hex(text: &str) -> Option<Token> {
        let digest = hex::decode(text).ok()?.try_into().ok()?;
        Some(Token { digest })
    }

    fn matches(&self, digest: &[u8; 32]) -> bool {
        self.digest.ct_eq(digest).into()
    }

    /// Whether an `Authorization` header value carries this token.
    pub fn accepts(&self, authorization: Option<&str>) -> bool {
        bearer(authorization).is_some_and(|given| self.matches(&given))
    }
}

/// The digest of the bearer token an `Authorization` value carries.
fn bearer(authorization: Option<&str>) -> Option<[u8; 32]> {
    let given = authorization
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty())?;
    Some(Sha256::digest(given.as_bytes()).into())
}

/// What a request is checked against.
pub struct Credentials<'a> {
    /// `serve --token-file`.
    pub admin: Option<&'a Token>,
    /// Each site's token (`sites policy ID --token-file`).
    pub sites: &'a [(String, Token)],
}

impl Credentials<'_> {
    /// The principal of a request with this `Authorization` header and
    /// this certificate identity.
    pub fn resolve(
        &self,
        authorization: Option<&str>,
        peer_site: Option<&str>,
    ) -> Result<Principal, ApiError> {
        let by_token = match bearer(authorization) {
            Some(given) => Some(self.holder(&given).ok_or(ApiError::Unauthorized)?),
            None => None,
        };
        match (by_token, peer_site) {
            (Some(Principal::Admin), _) => Ok(Principal::Admin),
            (Some(Principal::Site(token)), Some(cert)) if token != cert => {
                Err(ApiError::Forbidden(format!(
                    "the client certificate is site `{cert}`'s but the bearer token is another site's: send one site's credentials"
                )))
            }
            (Some(site), _) => Ok(site),
            (None, Some(cert)) => Ok(Principal::Site(cert.to_owned())),
            (None, None) if self.admin.is_none() => Ok(Principal::Admin),
            (None, None) => Err(ApiError::Unauthorized),
        }
    }

    /// Whose token has this digest; every digest is compared.
    fn holder(&self, given: &[u8; 32]) -> Option<Principal> {
        let mut found = None;
        if self.admin.is_some_and(|admin| admin.matches(given)) {
            found = Some(Principal::Admin);
        }
        for (site, token) in self.sites {
            if token.matches(given) && found.is_none() {
                found = Some(Principal::Site(site.clone()));
            }
        }
        found
    }
}

#[cfg(unix)]
fn check_mode(path: &Path, meta: &std::fs::Metadata) -> Result<(), ServeError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(ServeError::TokenFileMode {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_mode(_path: &Path, _meta: &std::fs::Metadata) -> Result<(), ServeError> {
    Ok(())
}

#[cfg(test)]
mod tests;
