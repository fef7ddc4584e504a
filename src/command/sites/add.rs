//! `feedser sites add ID`: registers a peer site and its keys, or restores
//! one removed with `sites remove` (its keys and ledger as they were); a
//! key given again that the restored site still holds is kept as it was,
//! and the report says so.

use std::path::PathBuf;

use clap::Args;

use crate::command::context::Context;
use crate::error::{Error, Result};
use crate::site::now;
use crate::store::{NewSite, StoreError};

#[derive(Debug, Args)]
pub struct Add {
    /// The peer's site id (its Federation.SiteId)
    site_id: String,
    /// A human name for the site
    #[arg(long, value_name = "TEXT")]
    display_name: String,
    /// Accept bundles from the site (`--enabled false` registers it disabled)
    #[arg(long, value_name = "BOOL", default_value_t = true, num_args = 0..=1, default_missing_value = "true", action = clap::ArgAction::Set)]
    enabled: bool,
    /// A public key (PEM) the site signs bundles with; repeatable
    #[arg(long = "key", value_name = "PUB.pem")]
    keys: Vec<PathBuf>,
}

impl Add {
    pub fn run(self, ctx: &Context) -> Result<()> {
        if !crate::model::is_valid_site_id(&self.site_id) {
            return Err(Error::Usage(format!(
                "`{}` is not a valid site id: {}",
                self.site_id,
                crate::model::SITE_ID_RULE
            )));
        }
        let keys = self
            .keys
            .iter()
            .map(|path| super::read_key(path))
            .collect::<Result<Vec<_>>>()?;
        let _lock = ctx.writer()?;
        let mut store = ctx.open_store()?;
        let restored = store.site_removed_at(&self.site_id)?.is_some();
        let added = store.add_site(&NewSite {
            site_id: self.site_id.clone(),
            display_name: self.display_name,
            enabled: self.enabled,
            created_at: now(),
        });
        if let Err(StoreError::SiteExists(id)) = &added {
            return Err(Error::Usage(already_registered(id)));
        }
        added?;
        let mut kept = Vec::new();
        for (key, path) in keys.iter().zip(&self.keys) {
            match store.add_key(&self.site_id, key) {
                // A restored site may still hold the key given again.
                Err(StoreError::KeyExists { .. }) if restored => kept.push((key, path)),
                other => other?,
            }
        }
        let site = super::get_site(store.as_ref(), &self.site_id)?;
        let mut notes = String::new();
        let (verb, trusted) = if restored {
            let held = store.keys(&self.site_id)?;
            for (key, path) in kept {
                let revoked = held
                    .iter()
                    .any(|k| k.key_id == key.key_id && k.revoked_at.is_some());
                notes += &kept_key(&key.key_id, path, revoked);
            }
            (
                "restored",
                held.iter().filter(|k| k.revoked_at.is_none()).count(),
            )
        } else {
            ("registered", keys.len())
        };
        ctx.out.report(&format!(
            "{verb} site `{}` ({}) with {}{}\n{notes}",
            site.site_id,
            super::status_word(&site),
            crate::command::count::count(trusted as u64, "trusted key"),
            if restored {
                " and its import history"
            } else {
                ""
            }
        ))
    }
}

/// What became of a key the restored site already held.
fn kept_key(key_id: &str, path: &std::path::Path, revoked: bool) -> String {
    let state = match revoked {
        true => "was revoked: it stays revoked",
        false => "was already trusted: kept as it was",
    };
    format!("key `{key_id}` (`{}`) {state}\n", path.display())
}

/// A second `add` changes nothing: the site is changed with `sites policy`.
fn already_registered(id: &str) -> String {
    format!(
        "site `{id}` is already registered: change it with `stella feedser sites policy {id} ...` (e.g. --enabled false, --max-bundle-size 100MB, --add-key PUB.pem)"
    )
}
