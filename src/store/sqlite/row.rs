//! SQLite rows through the shared decoders (`store::rows`): UUIDs are TEXT
//! here, checked as they are read; flags are INTEGER 0/1.

use rusqlite::Row;
use uuid::Uuid;

use super::codec;
use crate::store::Result;
use crate::store::rows::RowGet;

impl RowGet for Row<'_> {
    fn text(&self, i: usize) -> Result<String> {
        Ok(self.get(i)?)
    }
    fn opt_text(&self, i: usize) -> Result<Option<String>> {
        Ok(self.get(i)?)
    }
    fn int(&self, i: usize) -> Result<i64> {
        Ok(self.get(i)?)
    }
    fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        Ok(self.get(i)?)
    }
    fn flag(&self, i: usize) -> Result<bool> {
        Ok(self.get(i)?)
    }
    fn uuid(&self, i: usize, what: &'static str, key: &str) -> Result<Uuid> {
        codec::uuid(what, key, &self.get::<_, String>(i)?)
    }
}
