//! The import journal: a small SQLite database in the home (`journal.db`)
//! that follows every import from staging to its end, whichever store the
//! site uses.
//!
//! Invariants:
//! - An import writes its journal row before it stages anything, and moves it
//!   through `staging → staged → applying → committed` (or `refused`,
//!   `dry_run`); the store's ledger row, written in the same transaction as
//!   the data, is the truth about whether the data was applied.
//! - A live import holds an exclusive lock on `<staging>/<id>.lock`; a row that
//!   is not final and whose lock can be taken belongs to a process that died.
//!   `reconcile` settles such rows against the ledger (`committed` or
//!   `abandoned`) and removes their staging files, so nothing is applied
//!   twice and nothing is left behind.
//! - A row records its staging directory relative to the home
//!   (`staging/<id>`), for people to read; what is removed is always
//!   `<staging>/<id>`, derived from the import id, never the recorded path.
//! - `bundle validate` and `bundle export` work in a [`Scratch`] directory
//!   under the same kind of lock, so `gc` never removes the scratch space of
//!   a live process, and removes what a killed one left (`scratch`).
//! - The schema is an append-only step list on `PRAGMA user_version`, run by
//!   the one SQLite migration runner the store uses too.

mod db;
mod reconcile;
mod schema;
mod scratch;

pub use db::{Fields, Journal, JournalEntry, JournalError, State};
pub use reconcile::{GcReport, Reconciled, gc, reconcile};
pub use scratch::{EXPORT_TEMP_PREFIX, ImportLock, Scratch, remove_entry, sweep, unheld};

#[cfg(test)]
mod tests;
