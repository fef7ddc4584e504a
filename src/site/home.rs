//! The home directory and the paths inside it.
//!
//! Layout: `concelier.yaml` (config), `stella.db` (the embedded store),
//! `journal.db` (the import journal), `keys/` (0700, private keys 0600), `staging/` (per-import spools,
//! removed after each import), `spool/` (per-export spools), `quarantine/`
//! (refused bundles), `audit.log` and `audit.head` (the audit trail).

use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct Home {
    root: PathBuf,
}

impl Home {
    /// `--home`/`STELLA_HOME`, else `$XDG_DATA_HOME/stella`, else `~/.local/share/stella`.
    pub fn resolve(explicit: Option<&Path>) -> Home {
        if let Some(dir) = explicit {
            return Home {
                root: dir.to_owned(),
            };
        }
        let data = std::env::var_os("XDG_DATA_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
            .unwrap_or_else(|| PathBuf::from("."));
        Home {
            root: data.join("stella"),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn config_file(&self) -> PathBuf {
        self.root.join(crate::config::CONFIG_FILE_NAME)
    }

    pub fn store_file(&self) -> PathBuf {
        self.root.join("stella.db")
    }

    pub fn journal_file(&self) -> PathBuf {
        self.root.join("journal.db")
    }

    pub fn keys_dir(&self) -> PathBuf {
        self.root.join("keys")
    }

    pub fn staging_dir(&self) -> PathBuf {
        self.root.join("staging")
    }

    pub fn spool_dir(&self) -> PathBuf {
        self.root.join("spool")
    }

    pub fn quarantine(&self) -> crate::quarantine::Quarantine {
        crate::quarantine::Quarantine::new(self.root.join("quarantine"))
    }

    pub fn audit_log(&self) -> crate::audit::AuditLog {
        crate::audit::AuditLog::new(self.root.join("audit.log"), self.root.join("audit.head"))
    }
}
