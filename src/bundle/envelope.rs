//! `SIGNATURE.json`: a detached DSSE-style envelope over the exact
//! `MANIFEST.json` bytes. Each signature is a DER ECDSA P-256/SHA-256
//! signature over `PAE(payloadType, manifest bytes)`, base64 (standard
//! alphabet, padded); `keyid` is `sha256:<hex of the signer's SPKI DER>`.
//!
//! Invariants: the envelope is compact JSON in field order (the reader
//! re-serializes and compares), `payloadType` is [`PAYLOAD_TYPE`] and
//! `payloadDigest` is the manifest's digest even when `signatures` is empty,
//! so an unsigned bundle still pins its manifest. A [`SignatureProof`] is only
//! made after a signature verified under a key that the caller trusts for the
//! manifest's site.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::Signature;
use p256::ecdsa::signature::Verifier;
use serde::{Deserialize, Serialize};

use super::TrustedPublicKey;
use crate::keys::{Signer, key_id};

pub const PAYLOAD_TYPE: &str = "application/vnd.stella.feedser-manifest+json;version=1.0";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    #[error(
        "unsigned bundle: ask the sender for a signed bundle, or skip the signature check explicitly"
    )]
    Unsigned,
    #[error(
        "no trusted key `{key_ids}` for site `{site_id}`: trust the sender's public key for this site first"
    )]
    NoTrustedKey { key_ids: String, site_id: String },
    #[error("signature does not verify with key `{key_id}`")]
    BadSignature { key_id: String },
    #[error("payload type mismatch: found `{found}`, expected `{PAYLOAD_TYPE}`")]
    PayloadType { found: String },
    #[error("payload digest mismatch: envelope says `{found}`, manifest is `{expected}`")]
    PayloadDigest { found: String, expected: String },
    #[error("malformed signature envelope: {detail}")]
    Malformed { detail: String },
    #[error(
        "trusted key `{claimed}` has key material whose id is `{actual}`: fix the trusted key record"
    )]
    KeyIdMismatch { claimed: String, actual: String },
}

impl SignatureError {
    pub fn reason_code(&self) -> &'static str {
        match self {
            SignatureError::Unsigned => "unsigned",
            SignatureError::NoTrustedKey { .. } => "no_trusted_key",
            SignatureError::BadSignature { .. } => "bad_signature",
            SignatureError::PayloadType { .. } => "payload_type_mismatch",
            SignatureError::PayloadDigest { .. } => "payload_digest_mismatch",
            SignatureError::Malformed { .. } => "malformed_envelope",
            SignatureError::KeyIdMismatch { .. } => "key_id_mismatch",
        }
    }
}

/// Evidence that one bundle's manifest verified under a trusted key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureProof {
    key_id: String,
    manifest_sha256: String,
}

impl SignatureProof {
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    pub(crate) fn manifest_sha256(&self) -> &str {
        &self.manifest_sha256
    }
}

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
        super::fields::check_strings(bytes, super::manifest::MAX_FIELD_BYTES).map_err(malformed)?;
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
            if !super::manifest::is_sha256_tag(&s.keyid) {
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

    /// Verifies every signature made by a trusted key; at least one must exist.
    pub(crate) fn check(
        &self,
        manifest: &[u8],
        manifest_sha256: &str,
        site_id: &str,
        trusted: &[TrustedPublicKey],
    ) -> Result<SignatureProof, SignatureError> {
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
            proof.get_or_insert_with(|| SignatureProof {
                key_id: s.keyid.clone(),
                manifest_sha256: manifest_sha256.to_owned(),
            });
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

/// [`Envelope::parse`] as [`super::open`] applies it, giving the key ids of a
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_dsse_definition() {
        assert_eq!(pae("t/x", b"hello"), b"DSSEv1 3 t/x 5 hello".to_vec());
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ".to_vec());
    }

    #[test]
    fn unsigned_envelope_is_exact_and_parses_back() {
        let env = Envelope::new(b"{}", "sha256:00", None);
        assert_eq!(
            String::from_utf8(env.to_bytes()).unwrap(),
            r#"{"payloadType":"application/vnd.stella.feedser-manifest+json;version=1.0","payloadDigest":"sha256:00","signatures":[]}"#
        );
        assert_eq!(Envelope::parse(&env.to_bytes(), "sha256:00").unwrap(), env);
        assert_eq!(
            Envelope::parse(&env.to_bytes(), "sha256:11").unwrap_err(),
            SignatureError::PayloadDigest {
                found: "sha256:00".into(),
                expected: "sha256:11".into()
            }
        );
        assert_eq!(
            env.check(b"{}", "sha256:00", "s", &[]).unwrap_err(),
            SignatureError::Unsigned
        );
    }
}
