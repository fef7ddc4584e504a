//! Opening the site PostgreSQL store from a connection string.

use crate::error::Result;
use crate::store::Store;
use crate::store::postgres::{PgOptions, PgStore};

pub fn open(url: &str, schema: &str) -> Result<Box<dyn Store>> {
    Ok(Box::new(PgStore::connect(
        url,
        schema,
        &PgOptions::default(),
    )?))
}

/// Creates or upgrades the schema; (from, to) versions.
pub fn migrate(url: &str, schema: &str) -> Result<(i64, i64)> {
    let report = crate::store::postgres::migrate(url, schema, &PgOptions::default())?;
    Ok((report.from, report.to))
}
