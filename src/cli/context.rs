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
    pub lock_wait: std::time::Duration,
    /// `--progress`, and whether `-q` silenced it.
    progress: (super::progress::ProgressMode, bool),
}

impl Context {
    pub fn load(global: &GlobalArgs) -> Result<Context> {
        let home = Home::resolve(global.home.as_deref());
        crate::trust::check_home(home.root())?;
        let config_path = match &global.config {
            Some(path) => {
                check_config(path)?;
                path.clone()
            }
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
            lock_wait: std::time::Duration::from_secs_f64(global.lock_wait.clamp(0.0, 86_400.0)),
            progress: (global.progress, global.quiet),
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

    /// For commands that write: checks the home can be written and takes
    /// its writer lock (held until the guard drops).
    pub fn writer(&self) -> Result<super::lock::HomeLock> {
        let root = self.home.root();
        if !root.is_dir() {
            return Err(Error::NotInitialized {
                home: root.to_owned(),
            });
        }
        if let Err(source) = tempfile::tempfile_in(root) {
            return Err(Error::HomeReadOnly {
                home: root.to_owned(),
                source,
            });
        }
        super::lock::HomeLock::acquire(root, self.lock_wait, &now())
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
        let clock = test_now_millis();
        let store: Box<dyn Store> = match &self.database_url {
            Some(url) => {
                super::postgres::open(url, &self.config.federation.database_schema, clock)?
            }
            None => {
                let store = SqliteStore::open(&self.home.store_file()).map_err(|e| {
                    match tempfile::tempfile_in(self.home.root()) {
                        Err(source) => Error::HomeReadOnly {
                            home: self.home.root().to_owned(),
                            source,
                        },
                        Ok(_) => Error::Store(e),
                    }
                })?;
                match clock {
                    Some(ms) => Box::new(store.with_clock(Box::new(move || ms))),
                    None => Box::new(store),
                }
            }
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
            max_clock_skew_seconds: i.max_clock_skew_seconds,
            max_decompression_ratio: i.max_decompression_ratio,
            default_on_conflict: crate::import::ConflictStrategy::parse(&i.on_conflict)
                .unwrap_or(crate::import::ConflictStrategy::PreferRemote),
        }
    }

    /// Where the core's progress reports go: bars on stderr, or nowhere.
    pub fn progress(&self) -> Box<dyn crate::progress::Progress> {
        super::progress::reporter(self.progress.0, self.progress.1)
    }

    pub fn keys(&self) -> crate::keys::KeyStore {
        crate::keys::KeyStore::new(self.home.keys_dir())
    }
}

/// A config file given with `--config`: one others could write would let
/// them turn signature checks off, so it is held to the home's rule.
fn check_config(path: &std::path::Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) => Ok(crate::trust::check(path, &meta)?),
        Err(_) => Ok(()), // reading it says what is wrong
    }
}

/// Now, as the store and reports spell times: `2025-01-15T10:30:00.000Z`.
pub fn now() -> String {
    crate::cursor::format_millis(now_millis())
}

/// Now in unix milliseconds: the system clock, or `STELLA_TEST_NOW_MS`.
pub fn now_millis() -> i64 {
    test_now_millis().unwrap_or_else(|| jiff::Timestamp::now().as_millisecond())
}

/// TEST ONLY: `STELLA_TEST_NOW_MS` (unix milliseconds) replaces the clock of
/// [`now`] and the store's feed clock, so tests can make a site whose clock
/// runs ahead or behind. Not for production use; a value that is not an
/// integer is ignored.
pub const TEST_NOW_MS: &str = "STELLA_TEST_NOW_MS";

fn test_now_millis() -> Option<i64> {
    std::env::var(TEST_NOW_MS).ok()?.trim().parse().ok()
}
