//! `SIGNATURE.json`: a detached DSSE-style envelope over the exact
//! `MANIFEST.json` bytes. Each signature is a DER ECDSA P-256/SHA-256
//! signature over `PAE(payloadType, manifest bytes)`, base64 (standard
//! alphabet, padded); `keyid` is `sha256:<hex of the signer's SPKI DER>`.
//!
//! Invariants: the envelope is compact JSON in field order (the reader
//! re-serializes and compares), `payloadType` is [`PAYLOAD_TYPE`] and
//! `payloadDigest` is the manifest's digest even when `signatures` is empty,
//! so an unsigned bundle still pins its manifest. [`Envelope::check`] names a
//! key only after a signature verified under it and the caller trusts it for
//! the manifest's site.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::Signature;
use p256::ecdsa::signature::Verifier;
use serde::{Deserialize, Serialize};

use super::fields::check_strings;
use super::manifest::MAX_FIELD_BYTES;
use super::tag::is_sha256_tag;
use crate::bundle::error::{PAYLOAD_TYPE, SignatureError};
use crate::keys::TrustedPublicKey;
use crate::keys::{Signer, key_id};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct Envelope {
    payload_type: String,
    payload_digest: String,
    pub(crate) signatures: Vec<EnvelopeSignature>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EnvelopeSignature {
    pub(crate) keyid: String,
    sig: String,
}

/// DSSE pre-authentication encoding: `DSSEv1 SP len(type) SP type SP len(body) SP body`.
pub fn pae(payload_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

impl Envelope {
    pub(crate) fn new(manifest: &[u8], manifest_sha256: &str, signer: Option<&Signer>) -> Self {
        let signatures = signer.map(|s| EnvelopeSignature {
            keyid: s.key_id.clone(),
            sig: STANDARD.encode(s.sign(&pae(PAYLOAD_TYPE, manifest))),
        });
        Self {
            payload_type: PAYLOAD_TYPE.to_owned(),
            payload_digest: manifest_sha256.to_owned(),
            signatures: signatures.into_iter().collect(),
        }
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parses untrusted envelope bytes and checks everything but trust.
    pub(crate) fn parse(bytes: &[u8], manifest_sha256: &str) -> Result<Self, SignatureError> {
        let malformed = |detail: String| SignatureError::Malformed { detail };
        check_strings(bytes, MAX_FIELD_BYTES).map_err(malformed)?;
        let env: Envelope = serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
        if env.to_bytes() != bytes {
            return Err(malformed(
                "not in canonical form (compact JSON, fields in format order)".into(),
            ));
        }
        if env.payload_type != PAYLOAD_TYPE {
            return Err(SignatureError::PayloadType {
                found: env.payload_type,
            });
        }
        if env.payload_digest != manifest_sha256 {
            return Err(SignatureError::PayloadDigest {
                found: env.payload_digest,
                expected: manifest_sha256.to_owned(),
            });
        }
        for s in &env.signatures {
            if !is_sha256_tag(&s.keyid) {
                return Err(malformed(format!(
                    "key id `{}` is not `sha256:<64 hex>`",
                    s.keyid.escape_debug()
                )));
            }
            decode_sig(&s.sig).ok_or_else(|| {
                malformed(format!(
                    "signature of key `{}` is not canonical base64 DER",
                    s.keyid
                ))
            })?;
        }
        Ok(env)
    }

    /// Verifies every signature made by a trusted key; at least one must
    /// exist. The id of the first key that verified.
    pub(crate) fn check(
        &self,
        manifest: &[u8],
        site_id: &str,
        trusted: &[TrustedPublicKey],
    ) -> Result<String, SignatureError> {
        if self.signatures.is_empty() {
            return Err(SignatureError::Unsigned);
        }
        for t in trusted {
            let actual = key_id(&t.key);
            if actual != t.key_id {
                return Err(SignatureError::KeyIdMismatch {
                    claimed: t.key_id.clone(),
                    actual,
                });
            }
        }
        let msg = pae(PAYLOAD_TYPE, manifest);
        let mut proof = None;
        for s in &self.signatures {
            let Some(t) = trusted.iter().find(|t| t.key_id == s.keyid) else {
                continue;
            };
            let bad = || SignatureError::BadSignature {
                key_id: s.keyid.clone(),
            };
            let sig = decode_sig(&s.sig).ok_or_else(bad)?;
            t.key.verify(&msg, &sig).map_err(|_| bad())?;
            proof.get_or_insert_with(|| s.keyid.clone());
        }
        proof.ok_or_else(|| SignatureError::NoTrustedKey {
            key_ids: self
                .signatures
                .iter()
                .map(|s| s.keyid.as_str())
                .collect::<Vec<_>>()
                .join("`, `"),
            site_id: site_id.to_owned(),
        })
    }
}

/// [`Envelope::parse`] as `read::open` applies it, giving the key ids of a
/// well-formed envelope: the public entry point of the fuzz targets only.
#[doc(hidden)]
pub fn parse_envelope(bytes: &[u8], manifest_sha256: &str) -> Result<Vec<String>, SignatureError> {
    let env = Envelope::parse(bytes, manifest_sha256)?;
    Ok(env.signatures.into_iter().map(|s| s.keyid).collect())
}

/// Base64 that re-encodes to itself, holding DER that re-encodes to itself.
fn decode_sig(text: &str) -> Option<Signature> {
    let der = STANDARD.decode(text).ok()?;
    let sig = Signature::from_der(&der).ok()?;
    (sig.to_der().as_bytes() == der.as_slice() && STANDARD.encode(&der) == text).then_some(sig)
}
