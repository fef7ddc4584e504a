//! The first step of reading, and the only way to trust: [`open`] reads the
//! manifest and the envelope (both capped) and checks that the envelope pins
//! the manifest; nothing in the manifest is trusted yet. An
//! [`UnverifiedBundle`] becomes a [`VerifiedBundle`] when its signature
//! verifies under a trusted key ([`UnverifiedBundle::verify`], the proof
//! bound to this bundle at once) or when a [`SignatureSkip`] that the
//! signature policy granted is spent on it. Without either, its rows can
//! only be checked, never read ([`UnverifiedBundle::check`]).
//!
//! Invariant: no public path reaches a [`VerifiedBundle`] but those two.

use std::fmt;
use std::io::Read;

use super::checked::CheckedBundle;
use super::skip::SignatureSkip;
use super::stream::TarStream;
use super::verified::{Reader, VerifiedBundle};
use crate::bundle::error::{BundleError, SignatureError};
use crate::bundle::format::envelope::Envelope;
use crate::bundle::format::limits::Limits;
use crate::bundle::format::manifest::Manifest;
use crate::keys::TrustedPublicKey;
use crate::model::sha256_tagged;

/// A bundle whose manifest has been read but is not trusted yet.
pub struct UnverifiedBundle<'a> {
    reader: Reader<'a>,
    manifest_bytes: Vec<u8>,
    envelope: Envelope,
}

/// Reads the frame header, `MANIFEST.json` and `SIGNATURE.json`.
pub fn open<'a>(
    input: Box<dyn Read + 'a>,
    limits: &Limits,
) -> Result<UnverifiedBundle<'a>, BundleError> {
    let mut stream = TarStream::start(input, limits)?;
    let (manifest_bytes, envelope_bytes) =
        stream.head(limits.max_manifest_bytes, limits.max_signature_bytes)?;
    let manifest_sha256 = sha256_tagged(&manifest_bytes);
    let envelope = Envelope::parse(&envelope_bytes, &manifest_sha256)?;
    let manifest = Manifest::parse(&manifest_bytes)?;
    let declared: u128 = manifest.files.iter().map(|f| u128::from(f.size)).sum();
    if declared > u128::from(limits.max_content_bytes) {
        return Err(BundleError::ContentTooLarge {
            declared,
            limit: limits.max_content_bytes,
        });
    }
    let reader = Reader {
        stream,
        manifest,
        manifest_sha256,
        caps: (limits.max_line_bytes, limits.max_field_bytes),
    };
    Ok(UnverifiedBundle {
        reader,
        manifest_bytes,
        envelope,
    })
}

impl<'a> UnverifiedBundle<'a> {
    pub fn manifest(&self) -> &Manifest {
        &self.reader.manifest
    }

    pub fn manifest_sha256(&self) -> &str {
        &self.reader.manifest_sha256
    }

    pub fn signer_key_ids(&self) -> Vec<String> {
        let signatures = self.envelope.signatures.iter();
        signatures.map(|s| s.keyid.clone()).collect()
    }

    pub fn is_signed(&self) -> bool {
        !self.envelope.signatures.is_empty()
    }

    /// Checks the envelope against keys trusted for `manifest().site_id`,
    /// keeping the bundle unverified: the id of the key that verified.
    pub fn check_signature(&self, trusted: &[TrustedPublicKey]) -> Result<String, SignatureError> {
        let site_id = &self.reader.manifest.site_id;
        (self.envelope).check(&self.manifest_bytes, site_id, trusted)
    }

    /// This bundle, verified under one of `trusted` (keys trusted for
    /// `manifest().site_id`).
    pub fn verify(
        self,
        trusted: &[TrustedPublicKey],
    ) -> Result<VerifiedBundle<'a>, SignatureError> {
        let key_id = self.check_signature(trusted)?;
        Ok(VerifiedBundle::new(self.reader, Some(key_id)))
    }

    /// This bundle with its signature unchecked, as the policy allowed.
    pub fn skip_signature(self, _skip: SignatureSkip) -> VerifiedBundle<'a> {
        VerifiedBundle::new(self.reader, None)
    }

    /// Reads and checks the rest, rows included, keeping none of them (so
    /// trust is not needed): this thread decodes, a second one tallies each
    /// member (its digest above all), a third checks the rows, with
    /// `scratch` (an empty directory) for what the checks set aside.
    pub fn check(self, scratch: &std::path::Path) -> Result<CheckedBundle, BundleError> {
        self.reader.check(scratch)
    }
}

impl fmt::Debug for UnverifiedBundle<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnverifiedBundle")
            .field("manifest", self.manifest())
            .field("manifest_sha256", &self.manifest_sha256())
            .field("signer_key_ids", &self.signer_key_ids())
            .finish_non_exhaustive()
    }
}
