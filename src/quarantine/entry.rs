//! `reason.json` and the listing, reading and removal of entries.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{BUNDLE_FILE, Quarantine, QuarantineError, REASON_FILE, is_valid_id};

/// `reason.json`: why the bundle was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// `ImportError::reason_code()`.
    #[serde(rename = "reason", alias = "reason_code")]
    pub reason_code: String,
    #[serde(rename = "error", alias = "message")]
    pub message: String,
    /// The checks the bundle passed before the one that failed, in order.
    pub verification_log: Vec<String>,
    /// The bundle's path as given, or `stdin`.
    #[serde(rename = "received_from", alias = "source")]
    pub source: String,
    /// Bytes of the bundle seen (a file's length; what was read from stdin).
    pub size: u64,
    /// Only the first `FederationImport.QuarantineMaxBytes` bytes were kept.
    pub truncated: bool,
    pub received_at: String,
}

/// One quarantined bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub id: String,
    #[serde(flatten)]
    pub record: Record,
    /// The kept copy.
    #[serde(rename = "path")]
    pub bundle: PathBuf,
}

impl Quarantine {
    /// Every entry, oldest first (ids start with the time).
    pub fn list(&self) -> Result<Vec<Entry>, QuarantineError> {
        let mut ids = self.ids()?;
        ids.sort();
        ids.iter().map(|id| self.show(id)).collect()
    }

    fn ids(&self) -> Result<Vec<String>, QuarantineError> {
        let read = match std::fs::read_dir(&self.root) {
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(QuarantineError::io("list", &self.root)(e)),
        };
        let mut ids = Vec::new();
        for item in read {
            let item = item.map_err(QuarantineError::io("list", &self.root))?;
            let name = item.file_name().to_string_lossy().into_owned();
            if is_valid_id(&name) {
                ids.push(name);
            }
        }
        Ok(ids)
    }

    pub fn show(&self, id: &str) -> Result<Entry, QuarantineError> {
        let not_found = || QuarantineError::NotFound { id: id.to_owned() };
        if !is_valid_id(id) {
            return Err(not_found());
        }
        let dir = self.root.join(id);
        let path = dir.join(REASON_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(not_found()),
            Err(e) => return Err(QuarantineError::io("read", &path)(e)),
        };
        let record = serde_json::from_str(&text).map_err(|e| QuarantineError::Malformed {
            path: path.clone(),
            message: e.to_string(),
        })?;
        Ok(Entry {
            id: id.to_owned(),
            record,
            bundle: dir.join(BUNDLE_FILE),
        })
    }

    /// Removes the entries; every id must exist, else nothing is removed.
    pub fn remove(&self, ids: &[String]) -> Result<usize, QuarantineError> {
        for id in ids {
            if !is_valid_id(id) || !self.root.join(id).is_dir() {
                return Err(QuarantineError::NotFound { id: id.clone() });
            }
        }
        for id in ids {
            let dir = self.root.join(id);
            std::fs::remove_dir_all(&dir).map_err(QuarantineError::io("remove", &dir))?;
        }
        Ok(ids.len())
    }

    /// Removes every entry and any leftover partial copies.
    pub fn remove_all(&self) -> Result<usize, QuarantineError> {
        let count = self.ids()?.len();
        match std::fs::remove_dir_all(&self.root) {
            Ok(()) => Ok(count),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(QuarantineError::io("remove", &self.root)(e)),
        }
    }

    /// Removes the entries received before `cutoff_ms` (unix ms).
    pub fn remove_older_than(&self, cutoff_ms: i64) -> Result<usize, QuarantineError> {
        let old: Vec<String> = self
            .older_than(cutoff_ms)?
            .into_iter()
            .map(|e| e.id)
            .collect();
        self.remove(&old)
    }

    /// The entries received before `cutoff_ms` (unix ms), oldest first.
    pub fn older_than(&self, cutoff_ms: i64) -> Result<Vec<Entry>, QuarantineError> {
        let mut old = self.list()?;
        old.retain(|e| {
            e.record
                .received_at
                .parse::<jiff::Timestamp>()
                .is_ok_and(|t| t.as_millisecond() < cutoff_ms)
        });
        Ok(old)
    }
}
