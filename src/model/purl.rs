//! Package URL normalization for `affects_key`.
//!
//! An `affects_key` is `pkg:<type>[/<namespace>]/<name>`: a PURL with its
//! version (`@…`), qualifiers (`?…`) and subpath (`#…`) removed, so that every
//! spelling of one package gives the same key. Invariants of the output:
//! - the scheme is `pkg:`, never followed by `/`; the type is lowercase ASCII;
//! - empty path segments are dropped; the name is never empty;
//! - every segment is percent-decoded, then re-encoded: bytes outside
//!   `A-Z a-z 0-9 - . _ ~ :` become `%XX` with uppercase hex, nothing else does;
//! - the per-type rules of the PURL spec (`PURL-TYPES`) are applied:
//!
//! | type | namespace | name |
//! |---|---|---|
//! | `alpm`, `apk`, `bitbucket`, `composer`, `deb`, `github`, `hex`, `npm` | lowercase | lowercase |
//! | `rpm` | lowercase | kept |
//! | `bitnami`, `pub` | kept | lowercase |
//! | `pypi` | kept | lowercase, `_` → `-` |
//! | any other (`golang`, `maven`, `cargo`, `gem`, `nuget`, …) | kept | kept |
//!
//! `golang` stays case sensitive on purpose: Go module paths are (the module
//! proxy escapes capitals), and the spec does not require lowercasing them.

const CASE_FOLDED: &[&str] = &[
    "alpm",
    "apk",
    "bitbucket",
    "composer",
    "deb",
    "github",
    "hex",
    "npm",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PurlError {
    #[error("`{purl}` is not a package URL: it must start with `pkg:`")]
    NoScheme { purl: String },
    #[error(
        "package URL `{purl}` has no valid type: expected `pkg:<type>/<name>` with a type of letters, digits, `.`, `+` or `-`"
    )]
    BadType { purl: String },
    #[error("package URL `{purl}` has an empty name: expected `pkg:<type>/<name>`")]
    EmptyName { purl: String },
    #[error("package URL `{purl}` has a malformed percent-encoding: use `%XX` for bytes of UTF-8")]
    BadEscape { purl: String },
}

/// The `affects_key` of a PURL; see the module doc for the rules.
pub fn normalize(purl: &str) -> Result<String, PurlError> {
    let text = purl.trim();
    let rest = match text.get(..4) {
        Some(scheme) if scheme.eq_ignore_ascii_case("pkg:") => text.get(4..).unwrap_or(""),
        _ => return Err(PurlError::NoScheme { purl: purl.into() }),
    };
    let rest = rest.split('#').next().unwrap_or("");
    let rest = rest.split('?').next().unwrap_or("");
    let rest = rest.trim_start_matches('/');
    let (ty, path) = rest.split_once('/').unwrap_or((rest, ""));
    let ty = ty.to_ascii_lowercase();
    let ty_ok = ty.starts_with(|c: char| c.is_ascii_lowercase())
        && ty
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(&b));
    if !ty_ok {
        return Err(PurlError::BadType { purl: purl.into() });
    }
    // The version follows the last `@` of the last segment; an `@` earlier in
    // the path is an unencoded npm scope.
    let path = match path.rfind('@') {
        Some(at) if !path.get(at..).unwrap_or("").contains('/') => path.get(..at).unwrap_or(""),
        _ => path,
    };
    let mut segments = Vec::new();
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        segments.push(decode(raw).ok_or_else(|| PurlError::BadEscape { purl: purl.into() })?);
    }
    let name = segments.pop().filter(|n| !n.is_empty());
    let Some(name) = name else {
        return Err(PurlError::EmptyName { purl: purl.into() });
    };
    Ok(assemble(&ty, &segments, &name))
}

/// The `affects_key` of an OSV package given only by ecosystem and name.
pub fn from_ecosystem(ecosystem: &str, name: &str) -> Option<String> {
    let name = name.trim();
    let (ty, namespace, leaf): (&str, Vec<&str>, &str) = match ecosystem.trim() {
        "PyPI" => ("pypi", vec![], name),
        "crates.io" => ("cargo", vec![], name),
        "RubyGems" => ("gem", vec![], name),
        "NuGet" => ("nuget", vec![], name),
        "Hex" => ("hex", vec![], name),
        "Pub" => ("pub", vec![], name),
        "Maven" => {
            let (group, artifact) = name.split_once(':')?;
            ("maven", vec![group], artifact)
        }
        "npm" | "Packagist" | "Go" => {
            let ty = match ecosystem.trim() {
                "npm" => "npm",
                "Packagist" => "composer",
                _ => "golang",
            };
            let mut parts: Vec<&str> = name.split('/').collect();
            let leaf = parts.pop()?;
            (ty, parts, leaf)
        }
        _ => return None,
    };
    let namespace: Vec<String> = namespace.iter().map(|s| s.to_string()).collect();
    if leaf.is_empty() || namespace.iter().any(String::is_empty) {
        return None;
    }
    normalize(&assemble(ty, &namespace, leaf)).ok()
}

fn assemble(ty: &str, namespace: &[String], name: &str) -> String {
    let (fold_ns, fold_name) = match ty {
        t if CASE_FOLDED.contains(&t) => (true, true),
        "rpm" => (true, false),
        "bitnami" | "pub" | "pypi" => (false, true),
        _ => (false, false),
    };
    let mut out = format!("pkg:{ty}");
    for segment in namespace {
        out.push('/');
        encode_into(&mut out, &fold(segment, fold_ns));
    }
    let mut name = fold(name, fold_name);
    if ty == "pypi" {
        name = name.replace('_', "-");
    }
    out.push('/');
    encode_into(&mut out, &name);
    out
}

fn fold(text: &str, lower: bool) -> String {
    if lower {
        text.to_lowercase()
    } else {
        text.to_owned()
    }
}

fn decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn encode_into(out: &mut String, segment: &str) {
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn strips_version_qualifiers_subpath_and_folds_case_by_type() {
        for (input, want) in [
            ("pkg:pypi/Django_Rest@3.0?x=1#sub", "pkg:pypi/django-rest"),
            ("PKG:///PyPI/trac", "pkg:pypi/trac"),
            ("pkg:npm/%40Angular/Core@16.0.0", "pkg:npm/%40angular/core"),
            ("pkg:npm/@angular/core", "pkg:npm/%40angular/core"),
            (
                "pkg:github/Package-URL/PURL-spec@v1",
                "pkg:github/package-url/purl-spec",
            ),
            (
                "pkg:golang/github.com/Azure/go-sdk@v1",
                "pkg:golang/github.com/Azure/go-sdk",
            ),
            (
                "pkg:maven/org.Apache//Commons-IO@2",
                "pkg:maven/org.Apache/Commons-IO",
            ),
            (
                "pkg:composer/Laravel/Framework",
                "pkg:composer/laravel/framework",
            ),
            ("pkg:rpm/Fedora/Curl", "pkg:rpm/fedora/Curl"),
            ("pkg:cargo/a%2fb%7e%3A", "pkg:cargo/a%2Fb~:"),
            ("pkg:gem/caf%C3%A9", "pkg:gem/caf%C3%A9"),
        ] {
            assert_eq!(normalize(input).as_deref(), Ok(want), "{input}");
        }
    }

    #[test]
    fn rejects_unknown_shapes_naming_the_input() {
        let no_scheme = PurlError::NoScheme {
            purl: "npm/x".into(),
        };
        assert_eq!(normalize("npm/x"), Err(no_scheme));
        assert_eq!(
            normalize("pkg:1x/a"),
            Err(PurlError::BadType {
                purl: "pkg:1x/a".into()
            })
        );
        assert_eq!(
            normalize("pkg:/"),
            Err(PurlError::BadType {
                purl: "pkg:/".into()
            })
        );
        assert_eq!(
            normalize("pkg:npm/"),
            Err(PurlError::EmptyName {
                purl: "pkg:npm/".into()
            })
        );
        assert_eq!(
            normalize("pkg:npm/@1.0"),
            Err(PurlError::EmptyName {
                purl: "pkg:npm/@1.0".into()
            })
        );
        assert_eq!(
            normalize("pkg:npm/a%4"),
            Err(PurlError::BadEscape {
                purl: "pkg:npm/a%4".into()
            })
        );
        assert_eq!(
            normalize("pkg:npm/a%FF"),
            Err(PurlError::BadEscape {
                purl: "pkg:npm/a%FF".into()
            })
        );
        assert_eq!(
            normalize("pkg:npm/").unwrap_err().to_string(),
            "package URL `pkg:npm/` has an empty name: expected `pkg:<type>/<name>`"
        );
    }

    #[test]
    fn maps_osv_ecosystems() {
        for (eco, name, want) in [
            ("PyPI", "Jinja2", Some("pkg:pypi/jinja2")),
            ("npm", "@Babel/Core", Some("pkg:npm/%40babel/core")),
            (
                "Go",
                "github.com/Foo/bar",
                Some("pkg:golang/github.com/Foo/bar"),
            ),
            ("crates.io", "tokio", Some("pkg:cargo/tokio")),
            (
                "Maven",
                "org.apache:log4j",
                Some("pkg:maven/org.apache/log4j"),
            ),
            ("RubyGems", "rails", Some("pkg:gem/rails")),
            (
                "NuGet",
                "Newtonsoft.Json",
                Some("pkg:nuget/Newtonsoft.Json"),
            ),
            (
                "Packagist",
                "Symfony/HTTP",
                Some("pkg:composer/symfony/http"),
            ),
            ("Hex", "Plug", Some("pkg:hex/plug")),
            ("Pub", "HTTP", Some("pkg:pub/http")),
            ("Maven", "no-colon", None),
            ("Maven", ":artifact", None),
            ("Debian:11", "curl", None),
            ("PyPI", "", None),
        ] {
            assert_eq!(from_ecosystem(eco, name).as_deref(), want, "{eco} {name}");
        }
    }

    proptest! {
        #[test]
        fn normalizing_is_idempotent(ty in "[a-z]{1,6}", ns in "[ -~]{0,8}", name in "[ -~é]{1,12}") {
            let purl = format!("pkg:{ty}/{}/{}", enc(&ns), enc(&name));
            if let Ok(once) = normalize(&purl) {
                prop_assert_eq!(normalize(&once), Ok(once.clone()));
            }
        }
    }

    fn enc(text: &str) -> String {
        let mut out = String::new();
        encode_into(&mut out, text);
        out
    }
}
