pub mod add;
pub mod history;
pub mod list;
pub mod policy;
pub mod stale;
pub mod status;

use std::path::Path;

use crate::error::{Error, Result};
use crate::site::now;
use crate::store::{NewKey, Site, Store};

/// Reads a public key PEM file into what the store keeps.
pub fn read_key(path: &Path) -> Result<NewKey> {
    let pem = std::fs::read_to_string(path).map_err(Error::io("cannot read public key", path))?;
    let trusted = crate::keys::parse_public_pem(&pem)?;
    Ok(NewKey {
        key_id: trusted.key_id,
        public_pem: pem,
        added_at: now(),
    })
}

pub fn get_site(store: &dyn Store, id: &str) -> Result<Site> {
    store.site(id)?.ok_or_else(|| Error::NotFound {
        what: "site",
        name: id.to_owned(),
    })
}

pub fn status_word(site: &Site) -> &'static str {
    if site.enabled { "enabled" } else { "disabled" }
}
