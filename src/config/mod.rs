//! `concelier.yaml`: the site configuration file, in the seed's PascalCase keys.
//!
//! Parsing is strict: unknown keys, duplicate keys, out-of-range values and a
//! string where a boolean or number belongs (`"no"`, `"10"`: see `strict`)
//! are errors that name the file, line and column. Every field has a default, so
//! an empty file is a valid (if anonymous) configuration; `stella init`
//! writes a complete one. Environment variables and flags are layered on top
//! by the CLI, never here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub mod dsn;
mod strict;
mod validate;

/// The file name `stella init` writes in a home.
pub const CONFIG_FILE_NAME: &str = "concelier.yaml";

/// The default PostgreSQL schema.
pub const DEFAULT_SCHEMA: &str = "vuln";

/// The log category stella itself logs under (the seed's name).
pub const LOG_CATEGORY: &str = "StellaOps.Concelier.Federation";

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields, default)]
pub struct FileConfig {
    pub federation: Federation,
    pub federation_import: FederationImport,
    pub logging: Logging,
    #[serde(skip_serializing_if = "ConnectionStrings::is_empty")]
    pub connection_strings: ConnectionStrings,
}

impl ConnectionStrings {
    pub fn is_empty(&self) -> bool {
        self.concelier.is_none()
    }
}

/// The site PostgreSQL; absent means the embedded SQLite store.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields, default)]
pub struct ConnectionStrings {
    /// `postgresql://user@host:5432/db` or `host=… dbname=…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concelier: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields, default)]
pub struct Federation {
    #[serde(deserialize_with = "strict::bool")]
    pub enabled: bool,
    pub site_id: String,
    #[serde(deserialize_with = "strict::i32")]
    pub default_compression_level: i32,
    #[serde(deserialize_with = "strict::u64")]
    pub default_max_items: u64,
    #[serde(deserialize_with = "strict::bool")]
    pub require_signature: bool,
    /// The PostgreSQL schema holding stella's tables.
    pub database_schema: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields, default)]
pub struct FederationImport {
    pub allowed_sites: Vec<String>,
    #[serde(deserialize_with = "strict::u64")]
    pub max_bundle_size_bytes: u64,
    #[serde(deserialize_with = "strict::bool")]
    pub skip_signature_on_trusted_sites: bool,
    /// How far a bundle's `export_cursor` may lie ahead of this site's clock.
    #[serde(deserialize_with = "strict::u64")]
    pub max_clock_skew_seconds: u64,
    /// `sites status` warns (and `--check` fails) when a site's last import is older.
    #[serde(deserialize_with = "strict::u64")]
    pub stale_after_hours: u64,
    /// At most this many bytes of a refused bundle are kept in `quarantine/`.
    #[serde(deserialize_with = "strict::u64")]
    pub quarantine_max_bytes: u64,
    /// Decompressed bytes allowed per compressed byte (zstd bomb cap).
    #[serde(deserialize_with = "strict::u64")]
    pub max_decompression_ratio: u64,
    /// The conflict strategy when neither `--on-conflict` nor the site's
    /// policy names one: `prefer_remote`, `prefer_local`, `fail` or `newest`.
    pub on_conflict: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields, default)]
pub struct Logging {
    /// Category → level, most specific prefix wins (.NET semantics).
    pub log_level: BTreeMap<String, LogLevel>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum LogLevel {
    Trace,
    Debug,
    Information,
    Warning,
    Error,
    Critical,
    None,
}

impl Default for Federation {
    fn default() -> Self {
        Self {
            enabled: true,
            site_id: String::new(),
            default_compression_level: 3,
            default_max_items: 10_000,
            require_signature: true,
            database_schema: DEFAULT_SCHEMA.to_owned(),
        }
    }
}

impl Default for FederationImport {
    fn default() -> Self {
        Self {
            allowed_sites: Vec::new(),
            max_bundle_size_bytes: 100 * 1024 * 1024,
            skip_signature_on_trusted_sites: false,
            max_clock_skew_seconds: 300,
            stale_after_hours: 48,
            quarantine_max_bytes: 256 * 1024 * 1024,
            max_decompression_ratio: crate::bundle::DEFAULT_MAX_RATIO,
            on_conflict: "prefer_remote".to_owned(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file `{path}`: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid config file `{path}`: {key}: {message}")]
    Value {
        path: PathBuf,
        key: &'static str,
        message: String,
    },
}

impl FileConfig {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses and validates; `path` only names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let config: FileConfig = if text.trim().is_empty() {
            FileConfig::default()
        } else {
            serde_saphyr::from_str_with_options(text, strict::options()).map_err(|e| {
                ConfigError::Parse {
                    path: path.to_owned(),
                    message: first_line(&e.to_string()),
                }
            })?
        };
        config.validate(path)?;
        Ok(config)
    }

    /// The level for stella's own category: the most specific configured
    /// prefix of `StellaOps.Concelier.Federation`, then `Default`.
    pub fn log_level(&self) -> Option<LogLevel> {
        let levels = &self.logging.log_level;
        let mut category = LOG_CATEGORY;
        loop {
            if let Some(level) = levels.get(category) {
                return Some(*level);
            }
            match category.rfind('.') {
                Some(i) => category = &category[..i],
                None => return levels.get("Default").copied(),
            }
        }
    }

    /// The file `stella init` writes.
    pub fn for_new_site(site_id: &str, database_url: Option<&str>) -> Self {
        let mut config = FileConfig::default();
        config.federation.site_id = site_id.to_owned();
        config.connection_strings.concelier = database_url.map(str::to_owned);
        config
            .logging
            .log_level
            .insert(LOG_CATEGORY.to_owned(), LogLevel::Information);
        config
    }

    pub fn to_yaml(&self) -> String {
        serde_saphyr::to_string(self).unwrap_or_default()
    }
}

pub fn is_valid_schema(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// serde-saphyr renders a multi-line snippet labelled `<input>`; its first
/// line already says `line L column C: what`.
fn first_line(rendered: &str) -> String {
    let line = rendered.lines().next().unwrap_or_default();
    line.strip_prefix("error: ").unwrap_or(line).to_owned()
}

#[cfg(test)]
mod tests;
