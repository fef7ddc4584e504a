//! Column access for the PostgreSQL store. The pure conversions between
//! stored values and model values live in the shared [`crate::store::codec`]
//! (re-exported here); this module adds what needs a `postgres` type.

pub use crate::store::codec::*;

use crate::store::Result;

/// Column `idx` of a row; a type mismatch is a driver error.
pub fn col<'a, T: postgres::types::FromSql<'a>>(row: &'a postgres::Row, idx: usize) -> Result<T> {
    row.try_get(idx).map_err(super::conn::pg)
}
