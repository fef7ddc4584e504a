//! An `affects_key` (`pkg:<type>[/<namespace>]/<name>`) as the OSV
//! `package.ecosystem` and `package.name` a scanner matches on.
//!
//! The known purl types map to osv.dev's ecosystem names (the inverse of
//! `purl::from_ecosystem`, plus `bitnami`); any other type is its own
//! ecosystem. Invariant: the ecosystem is always a safe single path
//! component (it names a directory of the export): osv.dev's names are, and
//! a normalized purl type is `[a-z][a-z0-9+.-]*`.

/// `(ecosystem, name)` of a normalized `affects_key`.
pub fn package_of(affects_key: &str) -> (String, String) {
    let rest = affects_key.strip_prefix("pkg:").unwrap_or(affects_key);
    let (ty, path) = rest.split_once('/').unwrap_or((rest, ""));
    let segments: Vec<String> = path.split('/').map(decode).collect();
    let ecosystem = match ty {
        "pypi" => "PyPI",
        "npm" => "npm",
        "cargo" => "crates.io",
        "gem" => "RubyGems",
        "nuget" => "NuGet",
        "hex" => "Hex",
        "pub" => "Pub",
        "maven" => "Maven",
        "composer" => "Packagist",
        "golang" => "Go",
        "bitnami" => "Bitnami",
        other if safe_type(other) => other,
        _ => "unknown",
    };
    let name = if ty == "maven" && segments.len() > 1 {
        let (artifact, group) = segments.split_last().expect("two segments");
        format!("{}:{artifact}", group.join("/"))
    } else {
        segments.join("/")
    };
    (ecosystem.to_owned(), name)
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
    use super::package_of;

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
        assert_eq!(pair("pkg:deb/debian/curl"), own("deb", "debian/curl"));
    }

    #[test]
    fn a_hostile_type_never_names_a_directory() {
        assert_eq!(pair("pkg:../x").0, "unknown");
        assert_eq!(pair("pkg:/x").0, "unknown");
        assert_eq!(pair("pkg:.hidden/x").0, "unknown");
        assert_eq!(pair("pkg:a%2Fb/x").0, "unknown");
    }
}
