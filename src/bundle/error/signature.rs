//! [`SignatureError`]: why a bundle's signature envelope was refused, and
//! the payload type the envelope must name.
//!
//! Invariant: each variant has one stable reason code that never changes.

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
