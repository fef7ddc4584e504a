//! Leave to read a bundle's rows without checking its signature.
//!
//! A bundle's rows are read only through a `bundle::VerifiedBundle`, and
//! there are two ways to one: the bundle's signature verifies under a key
//! trusted for its site (`UnverifiedBundle::verify`, which binds the proof
//! to that bundle at once), or a [`SignatureSkip`] is spent on it. This file
//! is the only place that mints a skip, and only where the signature policy
//! allows one ([`SignaturePolicy`]); import's admission (`import/admit.rs`)
//! applies the policy the config sets.
//!
//! Invariants: [`SignatureSkip`] has no public constructor and is neither
//! `Clone`, `Copy` nor `Default`, so each skip was granted by
//! [`SignaturePolicy`] and lets in one bundle:
//!
//! ```compile_fail
//! let skip = stella::trust::SignatureSkip { _granted: () };
//! ```
//!
//! ```compile_fail
//! fn twice(skip: stella::trust::SignatureSkip) {
//!     let again = skip.clone();
//! }
//! ```
//!
//! ```
//! use stella::trust::SignaturePolicy;
//! let optional = SignaturePolicy { require_signature: false, skip_on_trusted_sites: false };
//! assert!(optional.unsigned().is_ok());
//! ```

/// Leave to read one bundle's rows with its signature unchecked.
#[derive(Debug)]
#[must_use = "a skip is spent on the bundle it lets in"]
pub struct SignatureSkip {
    _granted: (),
}

/// What the config says of signatures: `FederationImport.RequireSignature`
/// and `FederationImport.SkipSignatureOnTrustedSites`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignaturePolicy {
    pub require_signature: bool,
    pub skip_on_trusted_sites: bool,
}

/// Why the policy refused to skip the signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkipRefused {
    /// A skip was asked for where signatures are required without the
    /// trusted-sites exception.
    NotAllowed,
    /// The bundle is unsigned where signatures are required.
    Unsigned,
}

impl SignaturePolicy {
    /// The operator asked to skip the check (`--skip-signature`).
    pub fn requested(self) -> Result<SignatureSkip, SkipRefused> {
        match self.require_signature && !self.skip_on_trusted_sites {
            true => Err(SkipRefused::NotAllowed),
            false => Ok(SignatureSkip { _granted: () }),
        }
    }

    /// The bundle carries no signature.
    pub fn unsigned(self) -> Result<SignatureSkip, SkipRefused> {
        match self.require_signature {
            true => Err(SkipRefused::Unsigned),
            false => Ok(SignatureSkip { _granted: () }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(require_signature: bool, skip_on_trusted_sites: bool) -> SignaturePolicy {
        SignaturePolicy {
            require_signature,
            skip_on_trusted_sites,
        }
    }

    #[test]
    fn a_requested_skip_needs_optional_signatures_or_the_exception() {
        assert!(policy(false, false).requested().is_ok());
        assert!(policy(true, true).requested().is_ok());
        assert!(policy(false, true).requested().is_ok());
        assert_eq!(
            policy(true, false).requested().unwrap_err(),
            SkipRefused::NotAllowed
        );
    }

    #[test]
    fn an_unsigned_bundle_is_let_in_only_where_signatures_are_optional() {
        assert!(policy(false, false).unsigned().is_ok());
        assert!(policy(false, true).unsigned().is_ok());
        assert_eq!(
            policy(true, true).unsigned().unwrap_err(),
            SkipRefused::Unsigned
        );
        assert_eq!(
            policy(true, false).unsigned().unwrap_err(),
            SkipRefused::Unsigned
        );
    }
}
