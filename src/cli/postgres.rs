//! Opening the site PostgreSQL store from a connection string.

use crate::error::Result;
use crate::store::Store;

pub fn open(_url: &str, _schema: &str) -> Result<Box<dyn Store>> {
    Err(crate::error::Error::Usage(
        "PostgreSQL support is being merged".into(),
    ))
}

/// Creates or upgrades the schema; (from, to) versions.
pub fn migrate(_url: &str, _schema: &str) -> Result<(i64, i64)> {
    Err(crate::error::Error::Usage(
        "PostgreSQL support is being merged".into(),
    ))
}
