//! The site layer: one stella site (a home, its config, store, journal,
//! clock and writer lock) and the use cases that run on it, below the
//! command line. `cli`/`command` parse arguments and print; the HTTP
//! handlers parse requests and answer; both call the same entry points
//! here ([`import::import_bundle`] for an import).
//!
//! Invariants: nothing here imports clap, prints to stdout or exits the
//! process (the one exception is the export's second-signal exit in
//! `interrupts`, which the CLI asks for); the store is opened only after
//! settling any import a crashed process left unfinished; writers hold the
//! home's lock (`lock`) for their whole run.

pub mod clock;
pub mod export;
pub mod home;
pub mod hooks;
pub mod import;
pub mod interrupts;
pub mod lock;
pub mod monitor;
pub mod pgpass;
pub mod postgres;
pub mod signals;
pub mod signer;
pub mod sync;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::FileConfig;
use crate::error::{Error, Result};
use crate::import::ImportPolicy;
use crate::journal::Journal;
use crate::store::Store;
use crate::store::sqlite::SqliteStore;

pub use clock::{now, now_millis};
pub use home::Home;
pub use signals::{Cancellable, Signals};

/// Where a site is and how to reach its store: the CLI's global flags, or
/// anyone else's equivalent.
pub struct Location<'a> {
    /// The home directory; `None`: `$XDG_DATA_HOME/stella` or `~/.local/share/stella`.
    pub home: Option<&'a Path>,
    /// The config file; `None`: `<home>/concelier.yaml`.
    pub config: Option<&'a Path>,
    /// Overrides the config's connection string; empty means none.
    pub database_url: Option<&'a str>,
    /// Seconds a writer waits for the home's lock (clamped to a day).
    pub lock_wait: f64,
}

/// One opened site: its validated config and the ways into its state.
pub struct Site {
    pub home: Home,
    pub config: FileConfig,
    pub config_path: PathBuf,
    /// `--database-url`, `STELLA_DATABASE_URL`, or the config's connection string.
    pub database_url: Option<String>,
    pub lock_wait: Duration,
}

impl Site {
    /// Resolves the home, checks who may write it and the config, and
    /// loads the config. Touches no store.
    pub fn open(at: &Location<'_>) -> Result<Site> {
        let home = Home::resolve(at.home);
        crate::trust::check_home(home.root())?;
        let config_path = match at.config {
            Some(path) => {
                check_config(path)?;
                path.to_owned()
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
        let database_url = at
            .database_url
            .filter(|u| !u.is_empty())
            .map(str::to_owned)
            .or_else(|| config.connection_strings.concelier.clone());
        Ok(Site {
            home,
            config,
            config_path,
            database_url,
            lock_wait: Duration::from_secs_f64(at.lock_wait.clamp(0.0, 86_400.0)),
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

    /// Bundle export, import and validate, and the HTTP API, run only
    /// where `Federation.Enabled` is true (#22); ingest and the local
    /// views work either way.
    pub fn require_federation(&self) -> Result<()> {
        match self.config.federation.enabled {
            true => Ok(()),
            false => Err(Error::FederationDisabled {
                config: self.config_path.clone(),
            }),
        }
    }

    /// For commands that write: checks the home can be written and takes
    /// its writer lock (held until the guard drops).
    pub fn writer(&self) -> Result<lock::HomeLock> {
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
        lock::HomeLock::acquire(root, self.lock_wait, &now())
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
        let clock = hooks::now_millis();
        let store: Box<dyn Store> = match &self.database_url {
            Some(url) => postgres::open(url, &self.config.federation.database_schema, clock)?,
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
            default_on_conflict: crate::model::ConflictStrategy::parse(&i.on_conflict)
                .unwrap_or(crate::model::ConflictStrategy::PreferRemote),
        }
    }

    pub fn keys(&self) -> crate::keys::KeyStore {
        crate::keys::KeyStore::new(self.home.keys_dir())
    }
}

/// A locked scratch directory under `root` (`journal::Scratch`).
pub fn scratch(root: &Path) -> Result<crate::journal::Scratch> {
    crate::journal::Scratch::create(root).map_err(|e| match e {
        crate::journal::JournalError::Staging { path, source } => Error::Io {
            action: "cannot create scratch space",
            path,
            source,
        },
        other => crate::import::ImportError::from(other).into(),
    })
}

/// A config file given with `--config`: one others could write would let
/// them turn signature checks off, so it is held to the home's rule.
fn check_config(path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) => Ok(crate::trust::check(path, &meta)?),
        Err(_) => Ok(()), // reading it says what is wrong
    }
}
