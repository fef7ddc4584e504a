//! Which key signs an export: the one named, else the home's only
//! federation key. Shared by `bundle export` and the HTTP API's export.

use std::path::Path;

use crate::cli::context::Context;
use crate::error::Result;
use crate::export::ExportError;
use crate::keys::Signer;

/// The signing key: `key`, else the only federation key of the home.
pub fn signer(ctx: &Context, key: Option<&str>, passphrase_file: Option<&Path>) -> Result<Signer> {
    let keys = ctx.keys();
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
    let passphrase = crate::command::read_passphrase(passphrase_file)?;
    Ok(keys.signer(&name, passphrase.as_deref().map(String::as_str))?)
}
