//! The size limits of an import: the bundle's own size against the config's
//! `FederationImport.MaxBundleSizeBytes` and the sending site's
//! `sites policy --max-bundle-size`, and the staging space its members need.
//!
//! Invariant: a bundle over a size limit is one condition, however it is
//! met (a file's size up front, a stream cut at the cap, an HTTP
//! `Content-Length`): [`ImportError::TooLarge`], exit 6, reason code
//! `bundle_too_large`, one message naming the limit and both numbers.
//! It says nothing of the bundle's integrity: it is never quarantined.

use std::fmt;

use crate::bundle::{BundleError, Manifest};
use crate::store::Site;

use super::{ImportError, ImportPolicy};

/// The size of a bundle over a limit, as far as it was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BundleSize {
    /// Known up front (a file, a `Content-Length`) or read to the end.
    Exactly(u64),
    /// A stream cut when it passed this many bytes (the cap).
    MoreThan(u64),
}

impl fmt::Display for BundleSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BundleSize::Exactly(n) => write!(f, "{n} bytes"),
            BundleSize::MoreThan(n) => write!(f, "more than {n} bytes"),
        }
    }
}

/// Which limit a bundle is over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SizeLimit {
    /// `FederationImport.MaxBundleSizeBytes` of this site's config.
    Config,
    /// The sending site's own cap (`sites policy SITE --max-bundle-size`).
    Site(String),
}

impl SizeLimit {
    /// How to raise it.
    pub fn raise(&self) -> String {
        match self {
            SizeLimit::Config => {
                "raise FederationImport.MaxBundleSizeBytes in the config".to_owned()
            }
            SizeLimit::Site(site) => {
                format!("raise it with `stella feedser sites policy {site} --max-bundle-size SIZE`")
            }
        }
    }
}

impl fmt::Display for SizeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SizeLimit::Config => {
                f.write_str("of this site's config (FederationImport.MaxBundleSizeBytes)")
            }
            SizeLimit::Site(site) => {
                write!(f, "of site `{site}` (sites policy --max-bundle-size)")
            }
        }
    }
}

/// The config's cap, for a size known before the bundle's site is.
pub fn check_config_size(policy: &ImportPolicy, size: u64) -> Result<(), ImportError> {
    match size > policy.max_bundle_size_bytes {
        true => Err(ImportError::TooLarge {
            size: BundleSize::Exactly(size),
            limit: policy.max_bundle_size_bytes,
            which: SizeLimit::Config,
        }),
        false => Ok(()),
    }
}

/// The sending site's own cap, once the manifest names the site.
pub fn check_site_size(site: &Site, size: u64) -> Result<(), ImportError> {
    match site.max_bundle_size {
        Some(limit) if size > limit => Err(ImportError::TooLarge {
            size: BundleSize::Exactly(size),
            limit,
            which: SizeLimit::Site(site.site_id.clone()),
        }),
        _ => Ok(()),
    }
}

/// A stream cut at the config's cap (the reader's limit) is the same
/// condition as a file over it; any other error stays as it is.
pub fn over_cap(error: BundleError, policy: &ImportPolicy) -> ImportError {
    match error {
        BundleError::TooLarge { limit } if limit == policy.max_bundle_size_bytes => {
            ImportError::TooLarge {
                size: BundleSize::MoreThan(limit),
                limit,
                which: SizeLimit::Config,
            }
        }
        other => ImportError::Bundle(other),
    }
}

/// The bytes staging the bundle's members takes: the sizes its manifest
/// declares (checked against the members as they are spooled).
pub fn staging_bytes(manifest: &Manifest) -> u64 {
    manifest
        .files
        .iter()
        .map(|f| f.size)
        .fold(0, u64::saturating_add)
}

/// `387 MB`-like (see [`crate::units::bound`]): rounded up for what is
/// needed, down for what is free, so the two never read the same when
/// one is short.
pub fn human(bytes: u64, round_up: bool) -> String {
    crate::units::bound(bytes, round_up)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_sizes_round_needs_up_and_free_down() {
        assert_eq!(human(387 << 20, true), "387 MB");
        assert_eq!(human((387 << 20) + 1, true), "388 MB");
        assert_eq!(human((39 << 20) + 5, false), "39 MB");
        assert_eq!(human(1536, false), "1 KB");
        assert_eq!(human(1536, true), "2 KB");
        assert_eq!(human(512, true), "512 bytes");
        assert_eq!(human(1, false), "1 byte");
        assert_eq!(human(5 << 30, false), "5 GB");
    }

    #[test]
    fn one_message_names_the_limit_and_both_numbers() {
        let config = ImportError::TooLarge {
            size: BundleSize::Exactly(10_098),
            limit: 5000,
            which: SizeLimit::Config,
        };
        assert_eq!(
            config.to_string(),
            "Bundle too large: the bundle is 10098 bytes, over the 5000-byte limit of this site's config (FederationImport.MaxBundleSizeBytes); raise FederationImport.MaxBundleSizeBytes in the config, or ask the sending site for smaller bundles (`bundle export --max-items N`)"
        );
        let site = ImportError::TooLarge {
            size: BundleSize::MoreThan(100),
            limit: 100,
            which: SizeLimit::Site("site-a".into()),
        };
        assert_eq!(
            site.to_string(),
            "Bundle too large: the bundle is more than 100 bytes, over the 100-byte limit of site `site-a` (sites policy --max-bundle-size); raise it with `stella feedser sites policy site-a --max-bundle-size SIZE`, or ask the sending site for smaller bundles (`bundle export --max-items N`)"
        );
        assert_eq!(
            (config.exit().code(), config.reason_code()),
            (6, "bundle_too_large")
        );
    }
}
