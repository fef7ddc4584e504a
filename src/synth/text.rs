//! Vocabulary for synthetic advisories: names, versions, sentences, times.
//!
//! The lists are small and skewed (common words far more often than rare
//! ones), which is what gives real advisory text its compressibility.

use super::Rng;
use crate::model::Severity;

pub const SOURCES: &[&str] = &["nvd", "ghsa", "oss-fuzz", "pypa", "debian"];

const ECOSYSTEMS: &[&str] = &["pypi", "npm", "cargo", "gem", "nuget", "hex"];
const HEADS: &[&str] = &[
    "py", "django", "flask", "req", "url", "json", "yaml", "xml", "http", "open", "web", "auth",
    "crypto", "sql", "image", "net", "data", "tensor", "log", "cache", "mail", "jinja", "zip",
    "tar", "pdf", "markdown", "oauth", "jwt", "socket", "async", "grpc", "proto", "cli", "test",
];
const TAILS: &[&str] = &[
    "lib", "utils", "kit", "core", "parser", "tools", "client", "server", "lite", "plus", "io",
    "db", "fy", "ware", "flow", "ext", "helper", "api", "sdk", "engine", "proxy", "store",
];
pub(super) const CLASSES: &[&str] = &[
    "Cross-site scripting (XSS) vulnerability",
    "SQL injection vulnerability",
    "Directory traversal vulnerability",
    "Improper input validation",
    "Uncontrolled resource consumption",
    "Server-side request forgery (SSRF)",
    "Deserialization of untrusted data",
    "Out-of-bounds read",
    "Regular expression denial of service (ReDoS)",
    "Improper certificate validation",
    "Open redirect vulnerability",
    "Use of a broken or risky cryptographic algorithm",
    "Incorrect authorization",
    "Command injection vulnerability",
];
pub(super) const PARTS: &[&str] = &[
    "the template renderer",
    "the URL parser",
    "the session middleware",
    "the archive extraction routine",
    "the admin interface",
    "the XML loader",
    "the authentication backend",
    "the HTTP client",
    "the file upload handler",
    "the configuration loader",
    "the query builder",
    "the image decoder",
];
pub(super) const ACTORS: &[&str] = &[
    "remote attackers",
    "remote authenticated users",
    "local users",
    "attackers",
    "context-dependent attackers",
];
pub(super) const IMPACTS: &[&str] = &[
    "inject arbitrary web script or HTML",
    "execute arbitrary SQL commands",
    "read arbitrary files",
    "cause a denial of service (CPU consumption)",
    "bypass intended access restrictions",
    "execute arbitrary code",
    "obtain sensitive information",
    "conduct man-in-the-middle attacks",
    "redirect users to arbitrary web sites",
];
pub(super) const VECTORS: &[&str] = &[
    "a crafted request",
    "a crafted URL",
    "a crafted archive",
    "a long string",
    "the name parameter",
    "a malformed header",
    "a crafted YAML document",
    "unspecified vectors",
    "a .. (dot dot) in a filename",
];
pub(super) const CWES: &[&str] = &[
    "CWE-79", "CWE-89", "CWE-22", "CWE-20", "CWE-400", "CWE-918", "CWE-502", "CWE-125", "CWE-1333",
    "CWE-295", "CWE-601", "CWE-327", "CWE-863", "CWE-78",
];
pub(super) const VECTORS_CVSS: &[&str] = &[
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
    "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N",
    "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
];

pub fn package(rng: &mut Rng) -> (&'static str, String) {
    let ecosystem = rng.pick(ECOSYSTEMS);
    let name = format!("{}{}", rng.pick(HEADS), rng.pick(TAILS));
    match rng.below(3) {
        0 => (ecosystem, name),
        _ => (ecosystem, format!("{name}-{}", rng.below(2000))),
    }
}

pub fn version(rng: &mut Rng) -> String {
    format!("{}.{}.{}", rng.skewed(12), rng.skewed(30), rng.skewed(20))
}

pub fn summary(rng: &mut Rng, package: &str, fixed: &str, round: u32) -> String {
    let mut text = format!(
        "{} in {} in {package} before {fixed} allows {} to {} via {}.",
        rng.pick(CLASSES),
        rng.pick(PARTS),
        rng.pick(ACTORS),
        rng.pick(IMPACTS),
        rng.pick(VECTORS),
    );
    if rng.below(2) == 0 {
        text.push_str(&format!(
            " This issue affects {package} through {} and was fixed in {fixed}; users should upgrade.",
            version(rng)
        ));
    }
    if round > 0 {
        text.push_str(&format!(
            " Revision {round}: the affected range was re-analysed."
        ));
    }
    text
}

pub fn weaknesses(rng: &mut Rng) -> Vec<String> {
    match rng.below(4) {
        0 => Vec::new(),
        _ => vec![rng.pick(CWES).to_owned()],
    }
}

pub fn severity(rng: &mut Rng) -> Severity {
    [
        Severity::High,
        Severity::Medium,
        Severity::Critical,
        Severity::Low,
        Severity::Unknown,
    ][rng.skewed(5)]
}

pub fn cvss(rng: &mut Rng) -> Option<String> {
    match rng.below(3) {
        0 => None,
        _ => Some(rng.pick(VECTORS_CVSS).to_owned()),
    }
}

pub fn advisory_id(rng: &mut Rng, source: &str, year: usize, i: u64) -> String {
    match source {
        "ghsa" => {
            let h = rng.next_u64();
            let part = |shift: u32| {
                let alphabet = b"23456789cfghjmpqrvwx";
                (0..4)
                    .map(|k| alphabet[((h >> (shift + 5 * k)) % 20) as usize] as char)
                    .collect::<String>()
            };
            format!("GHSA-{}-{}-{}", part(0), part(20), part(40))
        }
        "pypa" => format!("PYSEC-{year}-{i}"),
        "debian" => format!("DSA-{}-{}", 1000 + i, 1 + rng.below(3)),
        "oss-fuzz" => format!("OSV-{year}-{i}"),
        _ => format!("NVD-{year}-{i}"),
    }
}

pub fn time(rng: &mut Rng, year: usize) -> String {
    format!(
        "{year}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(24),
        rng.below(60),
        rng.below(60)
    )
}

/// Round 0 was modified a month after it was published; round `r` in 2026.
pub fn modified(published: &str, round: u32) -> String {
    match round {
        0 => published.to_owned(),
        r => format!("2026-{:02}-01T00:00:00.000Z", (r % 12) + 1),
    }
}
