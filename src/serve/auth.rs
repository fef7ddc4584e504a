//! The API token: read from a private file, compared in constant time.
//!
//! The comparison hashes both sides with SHA-256 and folds the XOR of the
//! two digests over all 32 bytes with `subtle`'s `ConstantTimeEq`, so
//! neither the position of the first wrong byte nor the token's length
//! shows in the time taken. (`subtle` is already in the tree through p256.)
//!
//! Invariant: the token is never formatted: [`Token`] has no `Display`,
//! and its `Debug` prints a placeholder.

use std::path::Path;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::ServeError;

/// Tokens shorter than this are refused.
pub const MIN_TOKEN_LEN: usize = 16;

pub struct Token {
    digest: [u8; 32],
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl Token {
    pub fn new(secret: &str) -> Token {
        Token {
            digest: Sha256::digest(secret.as_bytes()).into(),
        }
    }

    /// Reads the token file: one line, not readable by group or others.
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

    /// Whether an `Authorization` header value carries this token.
    pub fn accepts(&self, authorization: Option<&str>) -> bool {
        let given = authorization
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map_or("", |(_, token)| token.trim());
        let digest: [u8; 32] = Sha256::digest(given.as_bytes()).into();
        let equal: bool = digest.ct_eq(&self.digest).into();
        equal && !given.is_empty()
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
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bearer_token_is_accepted() {
        let token = Token::new("0123456789abcdef0123");
        assert!(token.accepts(Some("Bearer 0123456789abcdef0123")));
        assert!(token.accepts(Some("bearer 0123456789abcdef0123")));
        assert!(!token.accepts(Some("Bearer 0123456789abcdef012")));
        assert!(!token.accepts(Some("Basic 0123456789abcdef0123")));
        assert!(!token.accepts(Some("0123456789abcdef0123")));
        assert!(!token.accepts(None));
        assert_eq!(format!("{token:?}"), "Token(<redacted>)");
    }

    #[test]
    fn a_readable_token_file_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "0123456789abcdef0123\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Token::load(&path).unwrap_err();
        assert!(matches!(err, ServeError::TokenFileMode { mode: 0o644, .. }));
        assert!(!err.to_string().contains("0123456789abcdef"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(
            Token::load(&path)
                .unwrap()
                .accepts(Some("Bearer 0123456789abcdef0123"))
        );
    }
}
