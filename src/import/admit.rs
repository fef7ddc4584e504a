//! Admission: the checks a bundle must pass before any of its rows are read.
//!
//! Order (each step only after the one before passed): the bundle comes
//! from the site the caller is bound to, if it is bound to one (mutual
//! TLS) → the bundle is not our own → its site is registered → the site's size cap (`size`) → the
//! signature against the keys trusted for that site, naming a revoked
//! signing key as such (or an allowed, recorded skip) → the site is the
//! one the sender authenticated as, if it did → the site is
//! allowed by the config and enabled → the cursor follows what we last took
//! from that site and is not ahead of our clock by more than the skew
//! budget. Each check is its own function so `validate` can report
//! all of them while `import` stops at the first.
//!
//! Invariant: a bundle's rows are read only after [`SignatureDecision::apply`]
//! verified its signature under a key trusted for its site, or spent a
//! [`SignatureSkip`] that the config's [`SignaturePolicy`] granted.

use crate::bundle::Manifest;
use crate::bundle::{TrustedPublicKey, UnverifiedBundle, VerifiedBundle};
use crate::store::{Site, Store, TrustedKey};
use crate::trust::{SignaturePolicy, SignatureSkip, SkipRefused};

use super::{ImportError, ImportPolicy};

/// How the signature question is settled.
pub enum SignatureDecision {
    /// Verify against these keys: the site's, not revoked.
    Verify(Vec<TrustedPublicKey>),
    /// Skip: unsigned where signatures are optional, or `--skip-signature` where allowed.
    Skip(SignatureSkip),
}

impl SignatureDecision {
    /// The bundle, its signature verified (a refusal names the site) or
    /// skipped, as decided.
    pub fn apply<'a>(
        self,
        bundle: UnverifiedBundle<'a>,
        site_id: &str,
    ) -> Result<VerifiedBundle<'a>, ImportError> {
        match self {
            SignatureDecision::Verify(keys) => {
                let verified = bundle.verify(&keys);
                verified.map_err(|source| ImportError::Signature {
                    site: site_id.to_owned(),
                    source,
                })
            }
            SignatureDecision::Skip(skip) => Ok(bundle.skip_signature(skip)),
        }
    }
}

/// What the import policy says of signatures.
fn signature_policy(policy: &ImportPolicy) -> SignaturePolicy {
    SignaturePolicy {
        require_signature: policy.require_signature,
        skip_on_trusted_sites: policy.skip_signature_on_trusted_sites,
    }
}

pub fn registered_site(
    store: &dyn Store,
    policy: &ImportPolicy,
    site_id: &str,
) -> Result<Site, ImportError> {
    if site_id == policy.local_site_id {
        return Err(ImportError::OwnSite {
            site: site_id.to_owned(),
        });
    }
    store
        .site(site_id)?
        .ok_or_else(|| ImportError::UnknownSite {
            site: site_id.to_owned(),
        })
}

pub fn decide_signature(
    store: &dyn Store,
    site: &Site,
    bundle: &UnverifiedBundle,
    policy: &ImportPolicy,
    skip_requested: bool,
) -> Result<SignatureDecision, ImportError> {
    let site_id = &site.site_id;
    let rule = signature_policy(policy);
    let refused = |refusal| match refusal {
        SkipRefused::NotAllowed => ImportError::SkipNotAllowed,
        SkipRefused::Unsigned => ImportError::Unsigned {
            site: site_id.clone(),
        },
    };
    if skip_requested {
        return rule
            .requested()
            .map(SignatureDecision::Skip)
            .map_err(refused);
    }
    if !bundle.is_signed() {
        return rule
            .unsigned()
            .map(SignatureDecision::Skip)
            .map_err(refused);
    }
    let keys = store.keys(site_id)?;
    let trusted = trusted_keys(&keys);
    let signers = bundle.signer_key_ids();
    if !trusted.iter().any(|k| signers.contains(&k.key_id))
        && let Some(revoked) = revoked_signer(&keys, &signers)
    {
        return Err(ImportError::KeyRevoked {
            site: site_id.clone(),
            key_id: revoked.key_id.clone(),
            revoked_at: revoked.revoked_at.clone().unwrap_or_default(),
        });
    }
    if trusted.is_empty() {
        return Err(ImportError::NoTrustedKeys {
            site: site_id.clone(),
        });
    }
    Ok(SignatureDecision::Verify(trusted))
}

/// The site's keys that are not revoked. A stored key that no longer parses
/// is skipped: it can verify nothing.
fn trusted_keys(keys: &[TrustedKey]) -> Vec<TrustedPublicKey> {
    keys.iter()
        .filter(|k| k.revoked_at.is_none())
        .filter_map(|k| crate::keys::parse_public_pem(&k.public_pem).ok())
        .collect()
}

/// A key the bundle names as its signer that this site revoked for the
/// site (asked only when no signer is trusted).
fn revoked_signer<'k>(keys: &'k [TrustedKey], signers: &[String]) -> Option<&'k TrustedKey> {
    keys.iter()
        .find(|k| k.revoked_at.is_some() && signers.contains(&k.key_id))
}

/// A sender known as one site imports only that site's bundles (#26).
pub fn check_sender(site: &Site, expected: Option<&str>) -> Result<(), ImportError> {
    match expected {
        Some(sender) if sender != site.site_id => Err(ImportError::SiteMismatch {
            site: site.site_id.clone(),
            sender: sender.to_owned(),
        }),
        _ => Ok(()),
    }
}

pub fn check_allowed(site: &Site, policy: &ImportPolicy) -> Result<(), ImportError> {
    let site_id = &site.site_id;
    if !policy.allowed_sites.is_empty() && !policy.allowed_sites.contains(site_id) {
        return Err(ImportError::SiteNotAllowed {
            site: site_id.clone(),
        });
    }
    if !site.enabled {
        return Err(ImportError::SiteDisabled {
            site: site_id.clone(),
        });
    }
    Ok(())
}

/// The bundle must end after what we last took from the site, and must not
/// start after it (that would skip a delta).
pub fn check_cursor(site: &Site, manifest: &Manifest) -> Result<(), ImportError> {
    let site_id = &site.site_id;
    if let Some(current) = site.last_cursor
        && manifest.export_cursor <= current
    {
        return Err(ImportError::CursorNotAfter {
            site: site_id.clone(),
            bundle: manifest.export_cursor,
            current,
        });
    }
    match (manifest.since_cursor, site.last_cursor) {
        (Some(since), None) => Err(ImportError::MissingDelta {
            site: site_id.clone(),
            since,
            current: "none (nothing imported yet: start with a full bundle)".into(),
        }),
        (Some(since), Some(current)) if since > current => Err(ImportError::MissingDelta {
            site: site_id.clone(),
            since,
            current: format!("`{current}`"),
        }),
        _ => Ok(()),
    }
}

/// The bundle's cursor must not lie in our future by more than the clock-skew
/// budget: a site whose clock runs ahead would otherwise move our cursor for
/// it past every bundle it sends after its clock is fixed. `now` is the
/// import's time (`2025-01-15T10:30:00.000Z`); one that does not parse skips
/// the check.
pub fn check_future_cursor(
    site: &Site,
    manifest: &Manifest,
    policy: &ImportPolicy,
    now: &str,
) -> Result<(), ImportError> {
    let Ok(now_ts) = now.parse::<jiff::Timestamp>() else {
        return Ok(());
    };
    let budget_ms = i64::try_from(policy.max_clock_skew_seconds)
        .unwrap_or(i64::MAX / 1000)
        .saturating_mul(1000);
    if manifest.export_cursor.millis() > now_ts.as_millisecond().saturating_add(budget_ms) {
        return Err(ImportError::FutureCursor {
            site: site.site_id.clone(),
            cursor: manifest.export_cursor,
            now: now.to_owned(),
            budget_seconds: policy.max_clock_skew_seconds,
        });
    }
    Ok(())
}
