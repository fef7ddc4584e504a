//! Opening the site PostgreSQL store from a connection string.

use crate::error::Result;
use crate::store::Store;
use crate::store::postgres::{PgOptions, PgStore};

/// `clock`: a fixed feed time (unix milliseconds) for tests, else the system
/// clock. A password missing from `url` is looked up in `.pgpass` (`pgpass`).
pub fn open(url: &str, schema: &str, clock: Option<i64>) -> Result<Box<dyn Store>> {
    let url = super::pgpass::complete(url);
    let store = PgStore::connect(&url, schema, &PgOptions::default())?;
    Ok(match clock {
        Some(ms) => Box::new(store.with_clock(Box::new(move || ms))),
        None => Box::new(store),
    })
}

/// Creates or upgrades the schema; (from, to) versions.
pub fn migrate(url: &str, schema: &str) -> Result<(i64, i64)> {
    let url = super::pgpass::complete(url);
    let report = crate::store::postgres::migrate(&url, schema, &PgOptions::default())?;
    Ok((report.from, report.to))
}
