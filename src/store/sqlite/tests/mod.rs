//! Tests of what is particular to the SQLite store (schema, pragmas, open
//! errors, WAL snapshots, busy handling). The behaviour both stores share
//! is checked once, on both, in `crate::store::tests`; its fixtures are
//! re-exported here.

mod bulk;
mod canonical;
mod concurrency;
mod failure;
mod lines;
mod schema;
mod unkeyed;

use super::SqliteStore;
use crate::store::Store;
pub use crate::store::tests::{Harness, deletion, merge_hash, put, record};
