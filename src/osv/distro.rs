//! Distribution advisories: records that announce fixed packages of a
//! distribution (`ALSA-2024:0001`, `DSA-5000-1`, `USN-6000-1`) rather than a
//! vulnerability of their own. Such a record names the vulnerabilities it
//! fixes in `aliases`, `upstream` or `related` (distributions differ: Debian
//! and Ubuntu use `related` or `upstream`, AlmaLinux and Rocky `related`), so
//! its advisory keys are the CVEs in all three; the record id stays the
//! edge's `source_advisory_id`.
//!
//! Invariants:
//! - Only an id with a prefix of [`DISTRO_ADVISORY_PREFIXES`] is a
//!   distribution advisory; for any other record `upstream` and `related`
//!   are not read (there `related` names other vulnerabilities, not this
//!   one), so the keys of other records never change.
//! - The list is the one of `man/stella-merge-hash.7` (a unit test compares).

/// Id prefixes of distribution advisories, each followed by `-` in an id,
/// compared ignoring ASCII case.
pub const DISTRO_ADVISORY_PREFIXES: &[&str] = &[
    "ALBA",
    "ALEA",
    "ALPINE",
    "ALSA",
    "CGA",
    "DEBIAN",
    "DLA",
    "DSA",
    "DTSA",
    "ELBA",
    "ELSA",
    "LSN",
    "MGASA",
    "MINI",
    "OESA",
    "openSUSE-RU",
    "openSUSE-SU",
    "PHSA",
    "RHBA",
    "RHEA",
    "RHSA",
    "RLBA",
    "RLEA",
    "RLSA",
    "SUSE-FU",
    "SUSE-OU",
    "SUSE-RU",
    "SUSE-SU",
    "UBUNTU",
    "USN",
];

/// Whether `id` is a distribution advisory's id.
pub fn is_distro_advisory(id: &str) -> bool {
    DISTRO_ADVISORY_PREFIXES.iter().any(|prefix| {
        id.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
            && id.as_bytes().get(prefix.len()) == Some(&b'-')
    })
}
