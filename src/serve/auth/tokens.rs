//! The site tokens at rest: `site-tokens.json` in the home, a JSON object
//! from site id to the SHA-256 of its token (lowercase hex), mode 0600.
//!
//! Why a file in the home and not the site store: a token is a secret of
//! this server, not data of the federation; kept beside the store it never
//! reaches a database dump, a replica or a role that may read the store,
//! and it needs no schema change on either backend.
//!
//! Invariants: only digests are written, never a token; a file that is a
//! link, or that others could write, is refused (it is one of the home's
//! entries, `crate::trust`); the file is replaced whole (a temporary file beside it, fsync, rename), so a reader
//! sees the old or the new set, never a part; a missing file is no tokens.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use super::Token;
use crate::serve::ServeError;

/// The file's name in the home.
pub const SITE_TOKENS_FILE: &str = "site-tokens.json";

/// Each site's token digest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SiteTokens {
    by_site: BTreeMap<String, String>,
}

impl SiteTokens {
    /// Reads the file at `path`; a missing one holds no tokens.
    pub fn load(path: &Path) -> Result<SiteTokens, ServeError> {
        // Whoever could write it could add a digest of a token of theirs.
        if let Ok(meta) = std::fs::symlink_metadata(path) {
            crate::trust::check(path, &meta)?;
        }
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SiteTokens::default()),
            Err(source) => {
                return Err(ServeError::TokenFile {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        let malformed = || ServeError::SiteTokens {
            path: path.to_owned(),
        };
        let by_site: BTreeMap<String, String> =
            serde_json::from_str(&text).map_err(|_| malformed())?;
        if by_site.values().any(|d| Token::from_hex(d).is_none()) {
            return Err(malformed());
        }
        Ok(SiteTokens { by_site })
    }

    /// Keeps `token`'s digest for `site`, replacing any before it.
    pub fn set(&mut self, site: &str, token: &Token) {
        self.by_site.insert(site.to_owned(), token.hex_digest());
    }

    /// Forgets `site`'s token; whether it had one.
    pub fn remove(&mut self, site: &str) -> bool {
        self.by_site.remove(site).is_some()
    }

    pub fn contains(&self, site: &str) -> bool {
        self.by_site.contains_key(site)
    }

    /// Every site's token, for [`super::Credentials`].
    pub fn tokens(&self) -> Vec<(String, Token)> {
        self.by_site
            .iter()
            .filter_map(|(site, hex)| Some((site.clone(), Token::from_hex(hex)?)))
            .collect()
    }

    /// Replaces the file at `path` with this set (mode 0600).
    pub fn save(&self, path: &Path) -> Result<(), ServeError> {
        let io = |source| ServeError::TokenFile {
            path: path.to_owned(),
            source,
        };
        let mut text = serde_json::to_string_pretty(&self.by_site).unwrap_or_default();
        text.push('\n');
        let temp = path.with_file_name(format!(".{SITE_TOKENS_FILE}.{}", std::process::id()));
        let _ = std::fs::remove_file(&temp);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let written = options.open(&temp).and_then(|mut file| {
            file.write_all(text.as_bytes())?;
            file.sync_all()
        });
        let renamed = written.and_then(|()| std::fs::rename(&temp, path));
        if renamed.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        renamed.map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_digests_are_written_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SITE_TOKENS_FILE);
        assert_eq!(SiteTokens::load(&path).unwrap(), SiteTokens::default());
        let mut tokens = SiteTokens::default();
        tokens.set("site-a", &Token::new("0123456789abcdef-a"));
        tokens.set("site-b", &Token::new("0123456789abcdef-b"));
        tokens.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("0123456789abcdef"), "{text}");
        assert!(text.contains(&Token::new("0123456789abcdef-a").hex_digest()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let mut back = SiteTokens::load(&path).unwrap();
        assert_eq!(back, tokens);
        assert!(back.remove("site-a"));
        assert!(!back.remove("site-a"));
        assert_eq!(back.tokens().len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let writable = std::fs::Permissions::from_mode(0o620);
            std::fs::set_permissions(&path, writable).unwrap();
            let refused = SiteTokens::load(&path).unwrap_err();
            assert!(matches!(refused, ServeError::Untrusted(_)), "{refused}");
            let private = std::fs::Permissions::from_mode(0o600);
            std::fs::set_permissions(&path, private).unwrap();
        }
        std::fs::write(&path, "{\"site-a\": \"not hex\"}").unwrap();
        assert!(matches!(
            SiteTokens::load(&path),
            Err(ServeError::SiteTokens { .. })
        ));
    }
}
