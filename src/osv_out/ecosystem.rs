//! An `affects_key` (`pkg:<type>[/<namespace>]/<name>[?<kept qualifier>]`)
//! as the OSV `package.ecosystem` and `package.name` a scanner matches on.
//!
//! The purl types of the ecosystem table (`purl::ecosystems`) map back to
//! their OSV names, a distribution's `distro` qualifier to its
//! `Name:Release` form and a generic key's `ecosystem` qualifier to that
//! ecosystem; any other type is its own ecosystem. Invariant: the export
//! directory of an ecosystem ([`directory_of`]) is always a safe single path
//! component: the table's names are, a normalized purl type is
//! `[a-z][a-z0-9+.-]*`, and a peer's generic ecosystem is checked.

use crate::model::purl::ecosystems::{Form, by_purl};

/// `(ecosystem, name)` of a normalized `affects_key`.
pub fn package_of(affects_key: &str) -> (String, String) {
    let rest = affects_key.strip_prefix("pkg:").unwrap_or(affects_key);
    let (rest, qualifier) = rest.split_once('?').unwrap_or((rest, ""));
    let kept = qualifier.split_once('=').map(|(_, value)| decode(value));
    let (ty, path) = rest.split_once('/').unwrap_or((rest, ""));
    let segments: Vec<String> = path.split('/').map(decode).collect();
    if ty == "generic" {
        let ecosystem = kept.filter(|e| safe_ecosystem(e));
        return (
            ecosystem.unwrap_or_else(|| ty.to_owned()),
            segments.join("/"),
        );
    }
    let namespace = segments.first().filter(|_| segments.len() > 1);
    let Some(row) = by_purl(ty, namespace.map(String::as_str)) else {
        let ecosystem = if safe_type(ty) { ty } else { "unknown" };
        return (ecosystem.to_owned(), segments.join("/"));
    };
    match row.form {
        Form::Distro(_) => {
            let ecosystem = match kept {
                Some(release) => format!("{}:{release}", row.name),
                None => row.name.to_owned(),
            };
            (ecosystem, segments.get(1..).unwrap_or_default().join("/"))
        }
        Form::GroupArtifact if segments.len() > 1 => {
            let (artifact, group) = segments.split_last().expect("two segments");
            (
                row.name.to_owned(),
                format!("{}:{artifact}", group.join("/")),
            )
        }
        _ => (row.name.to_owned(), segments.join("/")),
    }
}

/// The export directory of an ecosystem: its name without a `:release`.
pub fn directory_of(ecosystem: &str) -> &str {
    ecosystem.split(':').next().unwrap_or(ecosystem)
}

/// A generic key's ecosystem as a peer sent it: kept only when its
/// directory is a plain name (letters, digits, space, `. _ + -`, then any
/// release after `:`), starting with a letter or digit.
fn safe_ecosystem(ecosystem: &str) -> bool {
    let dir = directory_of(ecosystem);
    dir.starts_with(|c: char| c.is_ascii_alphanumeric())
        && dir
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b" ._+-".contains(&b))
}

/// A normalized purl type is a safe directory name; this re-checks it, as
/// the key may come from a peer.
fn safe_type(ty: &str) -> bool {
    ty.starts_with(|c: char| c.is_ascii_lowercase())
        && ty
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(&b))
}

/// Percent-decoding of one segment; a malformed escape is kept as written.
fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| segment.to_owned())
}

#[cfg(test)]
mod tests {
    use super::{directory_of, package_of};

    fn pair(key: &str) -> (String, String) {
        package_of(key)
    }

    #[test]
    fn osv_dev_ecosystems_and_names() {
        let own = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(pair("pkg:pypi/django"), own("PyPI", "django"));
        assert_eq!(pair("pkg:npm/%40babel/core"), own("npm", "@babel/core"));
        assert_eq!(
            pair("pkg:maven/org.apache/commons-text"),
            own("Maven", "org.apache:commons-text")
        );
        assert_eq!(
            pair("pkg:golang/github.com/a/b"),
            own("Go", "github.com/a/b")
        );
        assert_eq!(pair("pkg:bitnami/airflow"), own("Bitnami", "airflow"));
        assert_eq!(pair("pkg:cargo/smallvec"), own("crates.io", "smallvec"));
        assert_eq!(pair("pkg:deb/debian/curl"), own("Debian", "curl"));
        assert_eq!(
            pair("pkg:deb/ubuntu/curl?distro=22.04:LTS"),
            own("Ubuntu:22.04:LTS", "curl")
        );
        assert_eq!(
            pair("pkg:rpm/suse/curl?distro=SUSE%20Linux%2015"),
            own("SUSE:SUSE Linux 15", "curl")
        );
        assert_eq!(pair("pkg:deb/kali/curl"), own("deb", "kali/curl"));
        assert_eq!(
            pair("pkg:github/tj-actions/changed-files"),
            own("GitHub Actions", "tj-actions/changed-files")
        );
        assert_eq!(
            pair("pkg:generic/platform%2Fbase?ecosystem=Android"),
            own("Android", "platform/base")
        );
        assert_eq!(directory_of("Ubuntu:22.04:LTS"), "Ubuntu");
    }

    #[test]
    fn a_hostile_type_never_names_a_directory() {
        assert_eq!(pair("pkg:../x").0, "unknown");
        assert_eq!(pair("pkg:/x").0, "unknown");
        assert_eq!(pair("pkg:.hidden/x").0, "unknown");
        assert_eq!(pair("pkg:a%2Fb/x").0, "unknown");
        for hostile in ["..", "../x", ".hidden", "a/b", "a%2Fb", ""] {
            let key = format!("pkg:generic/x?ecosystem={hostile}");
            assert_eq!(pair(&key).0, "generic", "{key}");
        }
    }
}
