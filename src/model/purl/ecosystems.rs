//! The table of OSV ecosystems and the purl each one's packages get
//! (`man/stella-merge-hash.7`, section ECOSYSTEMS, which must list the same
//! rows: a unit test compares them).
//!
//! An OSV ecosystem is `Name` or `Name:Release` (`Debian:12`,
//! `Ubuntu:22.04:LTS`, `Alpine:v3.20`): the name before the first `:` is
//! looked up in the table, ignoring ASCII case. A distribution's release goes
//! in the purl's `distro` qualifier, kept as written; other ecosystems ignore
//! the release. An ecosystem the table does not know, or one no purl type
//! fits, gives `pkg:generic/<name>?ecosystem=<ecosystem>`, so no package with
//! an ecosystem and a name is ever refused.
//!
//! Invariants:
//! - The table is versioned ([`ECOSYSTEM_TABLE`]): the key of a package is an
//!   input of the merge hash, so changing a row changes identities. Rows of
//!   version 1 (the first ten) must never change.
//! - The mapping is a pure function of the ecosystem and name texts, so two
//!   sites that read the same package key it the same way.

/// The version of the table; part of `man/stella-merge-hash.7`.
pub const ECOSYSTEM_TABLE: &str = "stella-ecosystems/2";

/// How a package name becomes a purl path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// The whole name is the purl name.
    Name,
    /// The name split on `/`: the last part is the purl name, the others the
    /// namespace (npm scopes, Go module paths, Swift URLs).
    Path,
    /// Maven's `group:artifact`.
    GroupArtifact,
    /// GitHub Actions' `owner/repo[/path]`: owner and repo; a path inside the
    /// repository is dropped, like a purl subpath.
    OwnerRepo,
    /// A distribution: this namespace, the release in `distro=`.
    Distro(&'static str),
    /// No purl type fits: `pkg:generic`, the ecosystem kept in `ecosystem=`.
    Generic,
}

/// One row of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ecosystem {
    /// The OSV name, as the schema spells it.
    pub name: &'static str,
    /// The purl type.
    pub ty: &'static str,
    pub form: Form,
    /// The table version that added the row.
    pub since: u32,
}

const fn row(name: &'static str, ty: &'static str, form: Form, since: u32) -> Ecosystem {
    Ecosystem {
        name,
        ty,
        form,
        since,
    }
}

use Form::*;

/// Every ecosystem of the OSV schema, by name.
pub const ECOSYSTEMS: &[Ecosystem] = &[
    row("AlmaLinux", "rpm", Distro("almalinux"), 2),
    row("Alpaquita", "apk", Distro("alpaquita"), 2),
    row("Alpine", "apk", Distro("alpine"), 2),
    row("Android", "generic", Generic, 2),
    row("Azure Linux", "rpm", Distro("azure-linux"), 2),
    row("BellSoft Hardened Containers", "generic", Generic, 2),
    row("Bioconductor", "bioconductor", Name, 2),
    row("Bitnami", "bitnami", Name, 2),
    row("Chainguard", "apk", Distro("chainguard"), 2),
    row("CleanStart", "generic", Generic, 2),
    row("ConanCenter", "conan", Name, 2),
    row("CRAN", "cran", Name, 2),
    row("crates.io", "cargo", Name, 1),
    row("Debian", "deb", Distro("debian"), 2),
    row("Docker Hardened Images", "generic", Generic, 2),
    row("Echo", "generic", Generic, 2),
    row("FreeBSD", "generic", Generic, 2),
    row("GHC", "generic", Generic, 2),
    row("GIT", "generic", Generic, 2),
    row("GitHub Actions", "github", OwnerRepo, 2),
    row("Go", "golang", Path, 1),
    row("Hackage", "hackage", Name, 2),
    row("Hex", "hex", Name, 1),
    row("Julia", "generic", Generic, 2),
    row("Kubernetes", "generic", Generic, 2),
    row("Linux", "generic", Generic, 2),
    row("Mageia", "rpm", Distro("mageia"), 2),
    row("Maven", "maven", GroupArtifact, 1),
    row("MinimOS", "apk", Distro("minimos"), 2),
    row("npm", "npm", Path, 1),
    row("NuGet", "nuget", Name, 1),
    row("opam", "generic", Generic, 2),
    row("openEuler", "rpm", Distro("openeuler"), 2),
    row("openSUSE", "rpm", Distro("opensuse"), 2),
    row("OSS-Fuzz", "generic", Generic, 2),
    row("Packagist", "composer", Path, 1),
    row("Photon OS", "rpm", Distro("photon"), 2),
    row("Pub", "pub", Name, 1),
    row("PyPI", "pypi", Name, 1),
    row("Red Hat", "rpm", Distro("redhat"), 2),
    row("Rocky Linux", "rpm", Distro("rocky-linux"), 2),
    row("Root", "generic", Generic, 2),
    row("RubyGems", "gem", Name, 1),
    row("SUSE", "rpm", Distro("suse"), 2),
    row("SwiftURL", "swift", Path, 2),
    row("Ubuntu", "deb", Distro("ubuntu"), 2),
    row("VSCode", "generic", Generic, 2),
    row("Wolfi", "apk", Distro("wolfi"), 2),
];

/// The row of an ecosystem name (no release), ignoring ASCII case.
pub fn lookup(name: &str) -> Option<&'static Ecosystem> {
    ECOSYSTEMS
        .iter()
        .find(|e| e.name.eq_ignore_ascii_case(name))
}

/// The row whose purls have this type and (for distributions) namespace:
/// the way back from a key to its ecosystem.
pub fn by_purl(ty: &str, namespace: Option<&str>) -> Option<&'static Ecosystem> {
    ECOSYSTEMS.iter().find(|e| match e.form {
        Distro(ns) => e.ty == ty && namespace == Some(ns),
        Generic => false,
        _ => e.ty == ty,
    })
}

/// `(name, release)` of an OSV ecosystem: `Ubuntu:22.04:LTS` gives
/// `("Ubuntu", Some("22.04:LTS"))`; an empty release is none.
pub fn split_release(ecosystem: &str) -> (&str, Option<&str>) {
    match ecosystem.trim().split_once(':') {
        Some((name, release)) => {
            let release = release.trim();
            (name.trim(), (!release.is_empty()).then_some(release))
        }
        None => (ecosystem.trim(), None),
    }
}

/// Whether this ecosystem names a release of a distribution, whose packages
/// are keyed from the table even when the record gives a purl: the purl
/// would lack the release.
pub fn is_distro_release(ecosystem: &str) -> bool {
    let (name, release) = split_release(ecosystem);
    release.is_some() && lookup(name).is_some_and(|e| matches!(e.form, Distro(_)))
}

/// A purl before normalization: type, namespace segments, name, and the
/// one kept qualifier.
pub(super) type Parts<'a> = (
    &'static str,
    Vec<&'a str>,
    &'a str,
    Option<(&'static str, String)>,
);

/// The purl (before normalization) of `name` in `ecosystem`.
pub(super) fn parts<'a>(ecosystem: &'a str, name: &'a str) -> Option<Parts<'a>> {
    let (base, release) = split_release(ecosystem);
    let Some(entry) = lookup(base) else {
        let kept = ("ecosystem", ecosystem.trim().to_owned());
        return Some(("generic", vec![], name, Some(kept)));
    };
    let ty = entry.ty;
    Some(match entry.form {
        Name => (ty, vec![], name, None),
        Path => {
            let mut segments: Vec<&str> = name.split('/').collect();
            let leaf = segments.pop()?;
            (ty, segments, leaf, None)
        }
        GroupArtifact => {
            let (group, artifact) = name.split_once(':')?;
            (ty, vec![group], artifact, None)
        }
        OwnerRepo => {
            let mut segments = name.split('/');
            let owner = segments.next()?;
            (ty, vec![owner], segments.next()?, None)
        }
        Distro(ns) => {
            let kept = release.map(|r| ("distro", r.to_owned()));
            (ty, vec![ns], name, kept)
        }
        Generic => {
            let kept = match release {
                Some(r) => format!("{}:{r}", entry.name),
                None => entry.name.to_owned(),
            };
            ("generic", vec![], name, Some(("ecosystem", kept)))
        }
    })
}

/// The qualifier a key keeps for a purl type: a distribution's release, or
/// the ecosystem of a generic package. Every other qualifier is dropped.
pub(super) fn kept_qualifier(ty: &str) -> Option<&'static str> {
    match ty {
        "deb" | "rpm" | "apk" => Some("distro"),
        "generic" => Some("ecosystem"),
        _ => None,
    }
}
