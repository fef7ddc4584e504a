//! Which key signs an export: the one named, else the home's only
//! federation key. Shared by `bundle export` and the HTTP API's export.

use std::path::Path;

use crate::error::Result;
use crate::export::ExportError;
use crate::keys::Signer;
use crate::site::Site;

/// The signing key: `key`, else the only federation key of the home.
pub fn signer(site: &Site, key: Option<&str>, passphrase_file: Option<&Path>) -> Result<Signer> {
    let keys = site.keys();
    let name = match key {
        Some(name) => name.to_owned(),
        None => {
            let names: Vec<String> = keys
                .list()?
                .into_iter()
                .filter(|k| k.purpose == "federation")
                .map(|k| k.name)
                .collect();
            match names.as_slice() {
                [] => return Err(ExportError::NoSigningKey.into()),
                [one] => one.clone(),
                _ => {
                    return Err(ExportError::AmbiguousKey {
                        names: names.join(", "),
                    }
                    .into());
                }
            }
        }
    };
    let passphrase = passphrase_file
        .map(crate::keys::read_passphrase_file)
        .transpose()?;
    Ok(keys.signer(&name, passphrase.as_deref().map(String::as_str))?)
}
