//! Tests of what is particular to the PostgreSQL store (migrations, the
//! writer lock, NOTIFY, connection errors, batch statements). The behaviour
//! both stores share is checked once, on both, in `crate::store::tests`;
//! its fixtures are re-exported here. Each test makes its own database
//! (`testdb`).

mod batch;
mod concurrency;
mod connect;
mod export;
mod failure;
mod ledger;
mod notify;
mod schema;
pub mod testdb;

use super::PgStore;
use crate::cursor::Cursor;
use crate::store::Store;
pub use crate::store::tests::{TestClock, deletion, entry, merge_hash, new_site, put, record};
pub use testdb::TestDb;

/// Skips the test (returns) when there is no server outside CI.
macro_rules! test_db {
    () => {
        match $crate::store::postgres::tests::TestDb::create() {
            Some(db) => db,
            None => return,
        }
    };
    (proptest) => {
        match $crate::store::postgres::tests::TestDb::create() {
            Some(db) => db,
            None => return Ok(()),
        }
    };
}
pub(crate) use test_db;
