//! The key directory (`<home>/keys`). A key `<name>` is three files:
//! `<name>.key.pem` (PKCS#8, encrypted with the passphrase if one was given),
//! `<name>.pub.pem` (SPKI) and `<name>.json` (its [`KeyInfo`]).
//!
//! Invariants: names are `[A-Za-z0-9._-]{1,64}`, so a name is always one
//! plain file name; every file is written to a temp file created with mode
//! 0600 and moved into place without replacing anything, so a key is never
//! overwritten and a private key is never readable by others, not even
//! briefly; the metadata file is written last and marks a complete key.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use p256::ecdsa::SigningKey;
use p256::elliptic_curve::Generate;
use pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use serde::{Deserialize, Serialize};

use super::{ES256, KeyError, Signer, key_id};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyInfo {
    pub name: String,
    pub algorithm: String,
    pub purpose: String,
    pub key_id: String,
    pub created_at: String,
    pub encrypted: bool,
}

#[derive(Clone, Debug)]
pub struct KeyStore {
    dir: PathBuf,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn check_name(name: &str) -> Result<(), KeyError> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && name != "."
        && name != "..";
    match ok {
        true => Ok(()),
        false => Err(KeyError::InvalidName {
            name: name.to_owned(),
        }),
    }
}

impl KeyStore {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    pub(super) fn dir(&self) -> &Path {
        &self.dir
    }

    fn file(&self, name: &str, suffix: &str) -> PathBuf {
        self.dir.join(format!("{name}{suffix}"))
    }

    pub fn generate(
        &self,
        name: &str,
        algorithm: &str,
        purpose: &str,
        passphrase: Option<&str>,
        created_at: &str,
    ) -> Result<KeyInfo, KeyError> {
        check_name(name)?;
        if algorithm != ES256 {
            return Err(KeyError::UnsupportedAlgorithm {
                algorithm: algorithm.to_owned(),
            });
        }
        fs::create_dir_all(&self.dir).map_err(io_err(&self.dir))?;
        if [".key.pem", ".pub.pem", ".json"]
            .iter()
            .any(|s| self.file(name, s).exists())
        {
            return Err(KeyError::KeyExists {
                name: name.to_owned(),
            });
        }
        let key = SigningKey::generate();
        let encode = || KeyError::Encode {
            name: name.to_owned(),
        };
        let private = match passphrase {
            Some(pass) => key
                .to_pkcs8_encrypted_pem(pass, LineEnding::LF)
                .map_err(|_| encode())?,
            None => key.to_pkcs8_pem(LineEnding::LF).map_err(|_| encode())?,
        };
        let public = key
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|_| encode())?;
        let info = KeyInfo {
            name: name.to_owned(),
            algorithm: ES256.to_owned(),
            purpose: purpose.to_owned(),
            key_id: key_id(key.verifying_key()),
            created_at: created_at.to_owned(),
            encrypted: passphrase.is_some(),
        };
        let mut meta = serde_json::to_vec_pretty(&info).map_err(|_| encode())?;
        meta.push(b'\n');
        self.write_new(name, ".key.pem", private.as_bytes())?;
        self.write_new(name, ".pub.pem", public.as_bytes())?;
        self.write_new(name, ".json", &meta)?;
        Ok(info)
    }

    /// Temp file (0600 from creation) + no-clobber move into place.
    fn write_new(&self, name: &str, suffix: &str, bytes: &[u8]) -> Result<(), KeyError> {
        let path = self.file(name, suffix);
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir).map_err(io_err(&self.dir))?;
        tmp.write_all(bytes).map_err(io_err(tmp.path()))?;
        tmp.as_file().sync_all().map_err(io_err(&path))?;
        tmp.persist_noclobber(&path)
            .map_err(|e| match e.error.kind() {
                std::io::ErrorKind::AlreadyExists => KeyError::KeyExists {
                    name: name.to_owned(),
                },
                _ => KeyError::Io {
                    path: path.clone(),
                    source: e.error,
                },
            })?;
        Ok(())
    }

    /// Every complete key, sorted by name.
    pub fn list(&self) -> Result<Vec<KeyInfo>, KeyError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_err(&self.dir)(e)),
        };
        let mut keys = Vec::new();
        for entry in entries {
            let path = entry.map_err(io_err(&self.dir))?.path();
            if path.extension().is_some_and(|e| e == "json") {
                let text = fs::read_to_string(&path).map_err(io_err(&path))?;
                let info: KeyInfo =
                    serde_json::from_str(&text).map_err(|e| KeyError::Metadata {
                        path: path.clone(),
                        detail: e.to_string(),
                    })?;
                keys.push(info);
            }
        }
        keys.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(keys)
    }

    fn read(&self, name: &str, suffix: &str) -> Result<String, KeyError> {
        check_name(name)?;
        let path = self.file(name, suffix);
        fs::read_to_string(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => KeyError::UnknownKey {
                name: name.to_owned(),
                dir: self.dir.clone(),
            },
            _ => KeyError::Io {
                path: path.clone(),
                source: e,
            },
        })
    }

    pub fn public_pem(&self, name: &str) -> Result<String, KeyError> {
        self.read(name, ".pub.pem")
    }

    pub fn signer(&self, name: &str, passphrase: Option<&str>) -> Result<Signer, KeyError> {
        let pem = zeroize_string(self.read(name, ".key.pem")?);
        Signer::from_pem(&pem, passphrase, name).map_err(|e| match e {
            KeyError::MalformedPrivateKey { .. } => KeyError::MalformedPrivateKey {
                path: self.file(name, ".key.pem"),
            },
            other => other,
        })
    }
}

/// Private key text is wiped from memory when dropped.
fn zeroize_string(text: String) -> pkcs8::der::zeroize::Zeroizing<String> {
    pkcs8::der::zeroize::Zeroizing::new(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn generates_lists_and_loads_keys() {
        let home = tempfile::tempdir().unwrap();
        let store = KeyStore::new(home.path().join("keys"));
        let b = store
            .generate(
                "b-key",
                "ES256",
                "bundle-signing",
                None,
                "2025-01-15T10:30:00.000Z",
            )
            .unwrap();
        let a = store
            .generate(
                "a.key",
                "ES256",
                "bundle-signing",
                Some("pw"),
                "2025-01-15T10:30:00.000Z",
            )
            .unwrap();
        assert_eq!(store.list().unwrap(), vec![a.clone(), b.clone()]);
        assert!(a.encrypted && !b.encrypted);
        let mode = fs::metadata(store.file("a.key", ".key.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(store.signer("b-key", None).unwrap().key_id, b.key_id);
        assert_eq!(store.signer("a.key", Some("pw")).unwrap().key_id, a.key_id);
        assert_eq!(
            super::super::parse_public_pem(&store.public_pem("a.key").unwrap())
                .unwrap()
                .key_id,
            a.key_id
        );
        assert!(
            matches!(store.signer("a.key", None), Err(KeyError::PassphraseRequired { name }) if name == "a.key")
        );
        assert!(
            matches!(store.signer("a.key", Some("no")), Err(KeyError::WrongPassphrase { name }) if name == "a.key")
        );
        assert!(
            matches!(store.signer("zz", None), Err(KeyError::UnknownKey { name, .. }) if name == "zz")
        );
    }

    #[test]
    fn refuses_bad_names_algorithms_and_overwrites() {
        let home = tempfile::tempdir().unwrap();
        let store = KeyStore::new(home.path().to_path_buf());
        let err = store.generate("k", "RS256", "p", None, "t").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unsupported algorithm `RS256`: only `ES256` is supported"
        );
        for bad in ["", "..", "a/b", "a b", &"x".repeat(65)] {
            assert!(
                matches!(
                    store.generate(bad, "ES256", "p", None, "t"),
                    Err(KeyError::InvalidName { .. })
                ),
                "{bad}"
            );
        }
        store.generate("k", "ES256", "p", None, "t").unwrap();
        let before = fs::read(store.file("k", ".key.pem")).unwrap();
        assert!(
            matches!(store.generate("k", "ES256", "p", None, "t"), Err(KeyError::KeyExists { name }) if name == "k")
        );
        assert_eq!(fs::read(store.file("k", ".key.pem")).unwrap(), before);
    }
}
