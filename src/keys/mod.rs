//! Signing keys: ES256 (ECDSA P-256 with SHA-256) key pairs kept as PKCS#8
//! and SPKI PEM files in a [`KeyStore`], the [`Signer`] that signs bundle
//! envelopes, and parsing of peers' public keys.
//!
//! Invariants: a key id is always `sha256:<hex of the SPKI DER>` of the
//! public key, so the same key has the same id at every site; private key
//! material never appears in `Debug` output or error messages; signatures are
//! DER-encoded and deterministic (RFC 6979), so a bundle signed twice with the
//! same key is byte-identical.

mod passphrase;
mod roles;
mod store;

use std::path::PathBuf;

use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use pkcs8::{DecodePrivateKey, DecodePublicKey};
use sha2::{Digest, Sha256};

pub use passphrase::{MAX_PASSPHRASE_FILE_BYTES, read_passphrase_file};
pub use roles::{Choice, FEDERATION, Roles};
pub use store::{KeyInfo, KeyStore};

/// The only algorithm this version supports.
pub const ES256: &str = "ES256";

/// DER prefix of a P-256 SubjectPublicKeyInfo (id-ecPublicKey, prime256v1,
/// BIT STRING of 66 bytes); the uncompressed SEC1 point follows.
const SPKI_P256_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    #[error("invalid key name `{name}`: use 1 to 64 of `A-Z a-z 0-9 . _ -`")]
    InvalidName { name: String },
    #[error("unsupported algorithm `{algorithm}`: only `ES256` is supported")]
    UnsupportedAlgorithm { algorithm: String },
    #[error("key `{name}` already exists: choose another name or remove the old key files first")]
    KeyExists { name: String },
    #[error("no key `{name}` in `{dir}`: list keys with `stella authority keys list`")]
    UnknownKey { name: String, dir: PathBuf },
    #[error(
        "key `{name}` is retired: it verifies old bundles but signs no more; sign with the default key (leave out --key) or name another"
    )]
    Retired { name: String },
    #[error(
        "key `{name}` is the default federation key: make another key the default first (`stella authority keys default NAME`), then retire this one"
    )]
    RetireDefault { name: String },
    #[error(
        "key `{name}` is for `{purpose}`, not federation: only a federation key can be the default"
    )]
    NotFederation { name: String, purpose: String },
    #[error(
        "key roles `{path}` are malformed: {detail}; remove the file and choose the default again with `stella authority keys default NAME`"
    )]
    Roles { path: PathBuf, detail: String },
    #[error("key `{name}` is encrypted: give its passphrase")]
    PassphraseRequired { name: String },
    #[error(
        "the passphrase file `{path}` can be read by other users (mode {mode:04o}): run `chmod 600 {}`",
        path.display()
    )]
    PassphraseFileMode { path: PathBuf, mode: u32 },
    #[error(
        "the passphrase file `{path}` is over {max} bytes: it must hold only the passphrase, on one line"
    )]
    PassphraseFileTooLarge { path: PathBuf, max: u64 },
    #[error(
        "the passphrase file `{path}` is empty: write the passphrase on its first line (an empty passphrase would not protect the key)"
    )]
    EmptyPassphrase { path: PathBuf },
    #[error("cannot decrypt key `{name}`: wrong passphrase or damaged key file")]
    WrongPassphrase { name: String },
    #[error("key file `{path}` is not a P-256 PKCS#8 private key")]
    MalformedPrivateKey { path: PathBuf },
    #[error("not a P-256 public key in SPKI PEM form (`-----BEGIN PUBLIC KEY-----`)")]
    MalformedPublicKey,
    #[error("key metadata `{path}` is malformed: {detail}")]
    Metadata { path: PathBuf, detail: String },
    #[error("cannot encode key `{name}`")]
    Encode { name: String },
    #[error("key file `{path}`: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A public key trusted for some site, with its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedPublicKey {
    pub key_id: String,
    pub key: VerifyingKey,
}

/// A private key ready to sign.
#[derive(Clone)]
pub struct Signer {
    pub key_id: String,
    key: SigningKey,
}

impl Signer {
    pub fn new(key: SigningKey) -> Self {
        Self {
            key_id: key_id(key.verifying_key()),
            key,
        }
    }

    /// Loads a PKCS#8 PEM key, encrypted or not; `label` names it in errors.
    pub fn from_pem(pem: &str, passphrase: Option<&str>, label: &str) -> Result<Self, KeyError> {
        let key = if pem
            .trim_start()
            .starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        {
            let pass =
                passphrase.ok_or_else(|| KeyError::PassphraseRequired { name: label.into() })?;
            SigningKey::from_pkcs8_encrypted_pem(pem, pass)
                .map_err(|_| KeyError::WrongPassphrase { name: label.into() })?
        } else {
            SigningKey::from_pkcs8_pem(pem)
                .map_err(|_| KeyError::MalformedPrivateKey { path: label.into() })?
        };
        Ok(Self::new(key))
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        *self.key.verifying_key()
    }

    /// DER ECDSA P-256 SHA-256 signature, deterministic (RFC 6979).
    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        let sig: Signature = self.key.sign(msg);
        sig.to_der().as_bytes().to_vec()
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// `sha256:<hex of the SPKI DER>`.
pub fn key_id(vk: &VerifyingKey) -> String {
    let mut h = Sha256::new();
    h.update(SPKI_P256_PREFIX);
    h.update(vk.to_sec1_point(false).as_bytes());
    crate::model::sha256_tag(h)
}

pub fn parse_public_pem(pem: &str) -> Result<TrustedPublicKey, KeyError> {
    let key =
        VerifyingKey::from_public_key_pem(pem.trim()).map_err(|_| KeyError::MalformedPublicKey)?;
    Ok(TrustedPublicKey {
        key_id: key_id(&key),
        key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::Generate;
    use pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};

    #[test]
    fn key_id_hashes_the_spki_der() {
        let sk = SigningKey::generate();
        let der = sk.verifying_key().to_public_key_der().unwrap();
        assert_eq!(
            key_id(sk.verifying_key()),
            crate::model::sha256_tagged(der.as_bytes())
        );
        let pem = sk
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap();
        let trusted = parse_public_pem(&pem).unwrap();
        assert_eq!(
            (trusted.key_id, trusted.key),
            (key_id(sk.verifying_key()), *sk.verifying_key())
        );
        assert!(matches!(
            parse_public_pem("nope"),
            Err(KeyError::MalformedPublicKey)
        ));
    }

    #[test]
    fn signer_signs_deterministic_der_and_hides_the_key() {
        let sk = SigningKey::generate();
        let pem = sk.to_pkcs8_pem(LineEnding::LF).unwrap();
        let signer = Signer::from_pem(&pem, None, "k").unwrap();
        let sig = signer.sign(b"msg");
        assert_eq!(sig, signer.sign(b"msg"));
        let parsed = Signature::from_der(&sig).unwrap();
        use p256::ecdsa::signature::Verifier;
        assert!(signer.verifying_key().verify(b"msg", &parsed).is_ok());
        assert_eq!(
            format!("{signer:?}"),
            format!("Signer {{ key_id: {:?}, .. }}", signer.key_id)
        );
    }
}
