//! Package URL normalization for `affects_key`.
//!
//! An `affects_key` is `pkg:<type>[/<namespace>]/<name>[?<qualifier>=<value>]`:
//! a PURL with its version (`@…`), subpath (`#…`) and qualifiers (`?…`)
//! removed, except one: `distro` for `deb`, `rpm` and `apk` (the release of
//! the distribution) and `ecosystem` for `generic` (the OSV ecosystem), as
//! these tell packages apart. Every spelling of one package gives the same
//! key. Invariants of the output:
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
    let (rest, qualifiers) = rest.split_once('?').unwrap_or((rest, ""));
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
    let mut key = assemble(&ty, &segments, &name);
    if let Some(kept) = ecosystems::kept_qualifier(&ty)
        && let Some(value) = qualifier(qualifiers, kept, purl)?
    {
        key.push('?');
        key.push_str(kept);
        key.push('=');
        encode_into(&mut key, &value);
    }
    Ok(key)
}

/// The decoded, trimmed value of qualifier `name` (its key compared ignoring
/// ASCII case); an empty value is none.
fn qualifier(qualifiers: &str, name: &str, purl: &str) -> Result<Option<String>, PurlError> {
    for pair in qualifiers.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key.trim().eq_ignore_ascii_case(name) {
            let value = decode(value).ok_or_else(|| PurlError::BadEscape { purl: purl.into() })?;
            let value = value.trim();
            return Ok((!value.is_empty()).then(|| value.to_owned()));
        }
    }
    Ok(None)
}

/// The `affects_key` of an OSV package by ecosystem and name, from the
/// table of [`ecosystems`]; `None` only when either is empty.
pub fn from_ecosystem(ecosystem: &str, name: &str) -> Option<String> {
    let (ecosystem, name) = (ecosystem.trim(), name.trim());
    if ecosystem.is_empty() || name.is_empty() {
        return None;
    }
    ecosystems::parts(ecosystem, name)
        .and_then(|(ty, namespace, leaf, kept)| keyed(ty, &namespace, leaf, kept))
        .or_else(|| {
            // A name the row's form cannot split (a Maven name without `:`)
            // is still a package: generic, its ecosystem kept.
            keyed(
                "generic",
                &[],
                name,
                Some(("ecosystem", ecosystem.to_owned())),
            )
        })
}

fn keyed(ty: &str, namespace: &[&str], leaf: &str, kept: Option<(&str, String)>) -> Option<String> {
    let namespace: Vec<String> = namespace.iter().map(|s| s.to_string()).collect();
    if leaf.is_empty() || namespace.iter().any(String::is_empty) {
        return None;
    }
    let mut purl = assemble(ty, &namespace, leaf);
    if let Some((key, value)) = kept {
        purl.push('?');
        purl.push_str(key);
        purl.push('=');
        encode_into(&mut purl, &value);
    }
    normalize(&purl).ok()
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

pub mod ecosystems;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod ecosystem_tests;
