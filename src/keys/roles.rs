//! Key rotation: which federation key signs when `--key` is not given (the
//! default), and which keys are retired (kept for their public half, the
//! history they verify, but never used to sign again). Both live in
//! `<keys>/roles`, a small JSON file beside the key files.
//!
//! Invariants: the default is a key of this store, of purpose
//! `federation`, and never retired (retiring the default is refused, so a
//! new default is chosen first); the file is replaced atomically (a temp
//! file, then a rename), so a reader sees the old roles or the new ones; a
//! home that has no roles file yet behaves as before (its only federation
//! key signs).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{KeyError, KeyInfo, KeyStore};

/// The purpose of keys that sign bundles.
pub const FEDERATION: &str = "federation";

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roles {
    /// The key that signs when none is named.
    #[serde(default)]
    pub default: Option<String>,
    /// Keys that no longer sign.
    #[serde(default)]
    pub retired: BTreeSet<String>,
}

impl KeyStore {
    fn roles_path(&self) -> PathBuf {
        self.dir().join("roles")
    }

    /// The roles of this store (none yet: no default, nothing retired).
    pub fn roles(&self) -> Result<Roles, KeyError> {
        let path = self.roles_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| KeyError::Roles {
                path,
                detail: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Roles::default()),
            Err(source) => Err(KeyError::Io { path, source }),
        }
    }

    fn write_roles(&self, roles: &Roles) -> Result<(), KeyError> {
        let path = self.roles_path();
        let io = |source| KeyError::Io {
            path: path.clone(),
            source,
        };
        let mut text = serde_json::to_vec_pretty(roles).unwrap_or_default();
        text.push(b'\n');
        let mut tmp = tempfile::NamedTempFile::new_in(self.dir()).map_err(io)?;
        tmp.write_all(&text).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist(&path).map_err(|e| io(e.error))?;
        Ok(())
    }

    /// After `info` was generated: the first federation key becomes the
    /// default. In a home older than roles, "first" is the one federation
    /// key it already had, so its cron keeps signing with that key.
    pub fn adopt_default(&self, info: &KeyInfo) -> Result<(), KeyError> {
        let mut roles = self.roles()?;
        if roles.default.is_some() || info.purpose != FEDERATION {
            return Ok(());
        }
        let others: Vec<KeyInfo> = self
            .list()?
            .into_iter()
            .filter(|k| k.purpose == FEDERATION && k.name != info.name)
            .filter(|k| !roles.retired.contains(&k.name))
            .collect();
        roles.default = match others.as_slice() {
            [] => Some(info.name.clone()),
            [one] => Some(one.name.clone()),
            _ => return Ok(()),
        };
        self.write_roles(&roles)
    }

    /// Makes `name` the default federation key.
    pub fn set_default(&self, name: &str) -> Result<KeyInfo, KeyError> {
        let info = self.info(name)?;
        let mut roles = self.roles()?;
        if info.purpose != FEDERATION {
            return Err(KeyError::NotFederation {
                name: info.name,
                purpose: info.purpose,
            });
        }
        if roles.retired.contains(name) {
            return Err(KeyError::Retired { name: info.name });
        }
        roles.default = Some(info.name.clone());
        self.write_roles(&roles)?;
        Ok(info)
    }

    /// Retires `name`; `false` when it already was.
    pub fn retire(&self, name: &str) -> Result<(KeyInfo, bool), KeyError> {
        let info = self.info(name)?;
        let mut roles = self.roles()?;
        if roles.default.as_deref() == Some(name) {
            return Err(KeyError::RetireDefault { name: info.name });
        }
        let newly = roles.retired.insert(info.name.clone());
        if newly {
            self.write_roles(&roles)?;
        }
        Ok((info, newly))
    }

    /// The key that signs: `named`, else the default, else the only
    /// federation key that is not retired (`Ok(None)` when there is none,
    /// `Err` with the candidates' names when there are several).
    pub fn signing_key(&self, named: Option<&str>) -> Result<Choice, KeyError> {
        let roles = self.roles()?;
        if let Some(name) = named.or(roles.default.as_deref()) {
            if roles.retired.contains(name) {
                return Err(KeyError::Retired {
                    name: name.to_owned(),
                });
            }
            return Ok(Choice::Key(name.to_owned()));
        }
        let mut names: Vec<String> = self
            .list()?
            .into_iter()
            .filter(|k| k.purpose == FEDERATION && !roles.retired.contains(&k.name))
            .map(|k| k.name)
            .collect();
        Ok(match names.len() {
            0 => Choice::None,
            1 => Choice::Key(names.remove(0)),
            _ => Choice::Several(names),
        })
    }

    /// The metadata of key `name`.
    fn info(&self, name: &str) -> Result<KeyInfo, KeyError> {
        self.list()?
            .into_iter()
            .find(|k| k.name == name)
            .ok_or_else(|| KeyError::UnknownKey {
                name: name.to_owned(),
                dir: self.dir().to_owned(),
            })
    }
}

/// Which key signs when none is named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice {
    Key(String),
    None,
    Several(Vec<String>),
}
