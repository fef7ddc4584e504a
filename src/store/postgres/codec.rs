//! Column access for the PostgreSQL store. The pure conversions between
//! stored values and model values live in the shared [`crate::store::codec`]
//! (re-exported here) and the row decoders in [`crate::store::rows`]; this
//! module adds what needs a `postgres` type: a type mismatch is a driver
//! error, and UUIDs are the native `uuid` type.

pub use crate::store::codec::*;

use uuid::Uuid;

use crate::store::Result;
use crate::store::rows::RowGet;

/// Column `idx` of a row; a type mismatch is a driver error.
pub fn col<'a, T: postgres::types::FromSql<'a>>(row: &'a postgres::Row, idx: usize) -> Result<T> {
    row.try_get(idx).map_err(super::conn::pg)
}

impl RowGet for postgres::Row {
    fn text(&self, i: usize) -> Result<String> {
        col(self, i)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>> {
        col(self, i)
    }
    fn int(&self, i: usize) -> Result<i64> {
        col(self, i)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        col(self, i)
    }
    fn flag(&self, i: usize) -> Result<bool> {
        col(self, i)
    }
    fn uuid(&self, i: usize, _what: &'static str, _key: &str) -> Result<Uuid> {
        col(self, i)
    }
}
