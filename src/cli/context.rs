//! The validated configuration every command runs with, built once from the
//! global flags, the environment and the config file.

use std::path::PathBuf;

use crate::config::FileConfig;
use crate::error::{Error, Result};
use crate::import::ImportPolicy;
use crate::journal::Journal;
use crate::store::Store;
use crate::store::sqlite::SqliteStore;

use super::GlobalArgs;
use super::home::Home;
use super::output::Output;

pub struct Context {
    pub home: Home,
    pub config: FileConfig,
    pub config_path: PathBuf,
    pub out: Output,
    /// `--database-url`, `STELLA_DATABASE_URL`, or the config's connection string.
    pub database_url: Option<String>,
}

impl Context {
    pub fn load(global: &GlobalArgs) -> Result<Context> {
        let home = Home::resolve(global.home.as_deref());
        let config_path = match &global.config {
            Some(path) => path.clone(),
            None => {
                let path = home.config_file();
                if !path.exists() {
                    return Err(Error::NotInitialized {
                        home: home.root().to_owned(),
                    });
                }
                path
            }
        };
        let config = FileConfig::load(&config_path)?;
        super::logger::init(global, config.log_level());
        log::debug!(
            "home `{}`, config `{}`",
            home.root().display(),
            config_path.display()
        );
        let database_url = global
            .database_url
            .clone()
            .filter(|u| !u.is_empty())
            .or_else(|| config.connection_strings.concelier.clone());
        Ok(Context {
            home,
            config,
            config_path,
            out: Output::stdout(),
            database_url,
        })
    }

    /// This site's id; required by commands that export or import.
    pub fn site_id(&self) -> Result<&str> {
        let id = &self.config.federation.site_id;
        if id.is_empty() {
            return Err(Error::Usage(format!(
                "Federation.SiteId is not set in `{}`: set it to this site's id",
                self.config_path.display()
            )));
        }
        Ok(id)
    }

    /// The site store — PostgreSQL when a connection string is configured,
    /// else the embedded SQLite store — after settling any import a crashed
    /// process left unfinished.
    pub fn open_store(&self) -> Result<Box<dyn Store>> {
        if !self.home.root().is_dir() {
            return Err(Error::NotInitialized {
                home: self.home.root().to_owned(),
            });
        }
        let store: Box<dyn Store> = match &self.database_url {
            Some(url) => super::postgres::open(url, &self.config.federation.database_schema)?,
            None => Box::new(SqliteStore::open(&self.home.store_file())?),
        };
        self.reconcile(store.as_ref())?;
        Ok(store)
    }

    pub fn journal(&self) -> Result<Journal> {
        Ok(Journal::open(&self.home.journal_file()).map_err(crate::import::ImportError::from)?)
    }

    fn reconcile(&self, store: &dyn Store) -> Result<()> {
        let journal = self.journal()?;
        let settled = crate::journal::reconcile(&journal, store, &self.home.staging_dir(), &now())
            .map_err(crate::import::ImportError::from)?;
        for s in settled {
            log::warn!(
                "import `{}` of `{}` was interrupted; settled as {} (see `stella feedser journal status`)",
                s.import_id,
                s.bundle,
                s.state.as_str()
            );
        }
        Ok(())
    }

    pub fn import_policy(&self) -> ImportPolicy {
        let (f, i) = (&self.config.federation, &self.config.federation_import);
        ImportPolicy {
            local_site_id: f.site_id.clone(),
            allowed_sites: i.allowed_sites.clone(),
            max_bundle_size_bytes: i.max_bundle_size_bytes,
            require_signature: f.require_signature,
            skip_signature_on_trusted_sites: i.skip_signature_on_trusted_sites,
            max_decompression_ratio: i.max_decompression_ratio,
        }
    }

    pub fn keys(&self) -> crate::keys::KeyStore {
        crate::keys::KeyStore::new(self.home.keys_dir())
    }
}

/// Now, as the store and reports spell times: `2025-01-15T10:30:00.000Z`.
pub fn now() -> String {
    crate::cursor::format_millis(jiff::Timestamp::now().as_millisecond())
}
