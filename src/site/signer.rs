//! Which key signs an export: the one named, else the home's default
//! federation key (`crate::keys` roles), else its only one. Shared by `bundle export` and the HTTP API's export.

use std::path::Path;

use crate::error::Result;
use crate::export::ExportError;
use crate::keys::{Choice, Signer};
use crate::site::Site;

/// The signing key: `key`, else the home's default federation key, else
/// its only federation key that is not retired.
pub fn signer(site: &Site, key: Option<&str>, passphrase_file: Option<&Path>) -> Result<Signer> {
    let keys = site.keys();
    let name = match keys.signing_key(key)? {
        Choice::Key(name) => name,
        Choice::None => return Err(ExportError::NoSigningKey.into()),
        Choice::Several(names) => {
            return Err(ExportError::AmbiguousKey {
                names: names.join(", "),
            }
            .into());
        }
    };
    let passphrase = passphrase_file
        .map(crate::keys::read_passphrase_file)
        .transpose()?;
    Ok(keys.signer(&name, passphrase.as_deref().map(String::as_str))?)
}
