//! Archive member paths. An [`ArchivePath`] is relative, `/`-separated, and
//! cannot hold `..` or `.` components, empty components, an absolute root,
//! NUL, backslashes or control characters, so it can never name anything
//! outside the directory a member would be written to. The reader accepts
//! only the five known names anyway; this type is the second fence.
//!
//! Invariant: no [`ArchivePath`] exists that names a place outside the
//! directory it is joined to.

use std::fmt;

use crate::bundle::error::BundleError;

/// The ustar `name` field: longer paths would need the prefix field.
const MAX_LEN: usize = 100;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ArchivePath(String);

impl ArchivePath {
    pub fn new(path: &str) -> Result<Self, BundleError> {
        match unsafe_reason(path) {
            None => Ok(Self(path.to_owned())),
            Some(reason) => Err(BundleError::UnsafePath {
                path: path.escape_debug().to_string(),
                reason,
            }),
        }
    }

    /// Parses raw header bytes: they must be UTF-8 and a safe path.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, BundleError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Self::new(text),
            Err(_) => Err(BundleError::UnsafePath {
                path: String::from_utf8_lossy(bytes).escape_debug().to_string(),
                reason: "not UTF-8",
            }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn unsafe_reason(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        return Some("empty path");
    }
    if path.len() > MAX_LEN {
        return Some("longer than 100 bytes");
    }
    if path.contains('\0') {
        return Some("contains NUL");
    }
    if path.contains('\\') {
        return Some("contains a backslash");
    }
    if path.chars().any(char::is_control) {
        return Some("contains a control character");
    }
    if path.starts_with('/') {
        return Some("absolute path");
    }
    for component in path.split('/') {
        match component {
            "" => return Some("empty component"),
            "." | ".." => return Some("`.` or `..` component"),
            _ => {}
        }
    }
    None
}

impl fmt::Display for ArchivePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for ArchivePath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for ArchivePath {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        ArchivePath::new(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(path: &str) -> &'static str {
        match ArchivePath::new(path) {
            Err(BundleError::UnsafePath { reason, .. }) => reason,
            other => panic!("`{path}` gave {other:?}"),
        }
    }

    #[test]
    fn accepts_plain_relative_paths() {
        for ok in ["MANIFEST.json", "a/b.ndjson", "a.b/c-d_e"] {
            assert_eq!(
                ArchivePath::new(ok).map(|p| p.to_string()).ok().as_deref(),
                Some(ok)
            );
        }
    }

    #[test]
    fn rejects_each_unsafe_shape_with_its_reason() {
        assert_eq!(reason(""), "empty path");
        assert_eq!(reason("../x"), "`.` or `..` component");
        assert_eq!(reason("a/../x"), "`.` or `..` component");
        assert_eq!(reason("./x"), "`.` or `..` component");
        assert_eq!(reason("/etc/passwd"), "absolute path");
        assert_eq!(reason("a//b"), "empty component");
        assert_eq!(reason("a/"), "empty component");
        assert_eq!(reason("a\0b"), "contains NUL");
        assert_eq!(reason("a\\b"), "contains a backslash");
        assert_eq!(reason("a\nb"), "contains a control character");
        assert_eq!(reason(&"a".repeat(101)), "longer than 100 bytes");
    }

    #[test]
    fn rejects_non_utf8_and_unsafe_serde_input() {
        assert!(matches!(
            ArchivePath::from_bytes(b"\xff"),
            Err(BundleError::UnsafePath {
                reason: "not UTF-8",
                ..
            })
        ));
        let err = serde_json::from_str::<ArchivePath>("\"../x\"").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unsafe archive path `../x`: `.` or `..` component"
        );
    }
}
