//! The range checks a parsed config must pass; each error names its key.

use std::path::Path;

use super::{ConfigError, FileConfig, is_valid_schema};

impl FileConfig {
    pub(super) fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let bad = |key, message: String| ConfigError::Value {
            path: path.to_owned(),
            key,
            message,
        };
        let f = &self.federation;
        if !f.site_id.is_empty() && !crate::model::is_valid_site_id(&f.site_id) {
            return Err(bad(
                "Federation.SiteId",
                format!(
                    "`{}` is not a valid site id ({})",
                    f.site_id,
                    crate::model::SITE_ID_RULE
                ),
            ));
        }
        if !(1..=19).contains(&f.default_compression_level) {
            return Err(bad(
                "Federation.DefaultCompressionLevel",
                format!(
                    "{} is out of range: use 1 to 19",
                    f.default_compression_level
                ),
            ));
        }
        if !is_valid_schema(&f.database_schema) {
            return Err(bad(
                "Federation.DatabaseSchema",
                format!(
                    "`{}` is not a schema name: use lowercase letters, digits and `_`, starting with a letter or `_`",
                    f.database_schema
                ),
            ));
        }
        if f.default_max_items == 0 {
            return Err(bad(
                "Federation.DefaultMaxItems",
                "must be at least 1".into(),
            ));
        }
        if self.federation_import.max_bundle_size_bytes == 0 {
            return Err(bad(
                "FederationImport.MaxBundleSizeBytes",
                "must be at least 1".into(),
            ));
        }
        if self.federation_import.stale_after_hours == 0 {
            return Err(bad(
                "FederationImport.StaleAfterHours",
                "must be at least 1".into(),
            ));
        }
        if crate::model::ConflictStrategy::parse(&self.federation_import.on_conflict).is_none() {
            return Err(bad(
                "FederationImport.OnConflict",
                format!(
                    "`{}` is not a strategy: use prefer_remote, prefer_local, fail or newest",
                    self.federation_import.on_conflict.escape_debug()
                ),
            ));
        }
        if self.federation_import.max_decompression_ratio == 0 {
            return Err(bad(
                "FederationImport.MaxDecompressionRatio",
                "must be at least 1".into(),
            ));
        }
        for site in &self.federation_import.allowed_sites {
            if !crate::model::is_valid_site_id(site) {
                return Err(bad(
                    "FederationImport.AllowedSites",
                    format!(
                        "`{site}` is not a valid site id ({})",
                        crate::model::SITE_ID_RULE
                    ),
                ));
            }
        }
        Ok(())
    }
}
