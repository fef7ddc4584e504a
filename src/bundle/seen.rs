//! The merge hashes a reading of `canonicals.ndjson` has met, to refuse a
//! bundle that lists one canonical twice — in constant memory.
//!
//! A set in memory would grow with the bundle (≈100 bytes per canonical, a
//! tenth of a GiB at a million); this one is a scratch SQLite table of 32-byte
//! digests beside the spooled members, with a small cache and no journal (it
//! goes with the spool; nothing depends on it surviving a crash). Inserts are
//! committed in groups, so each costs one B-tree insert.

use std::io;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode};

use super::BundleError;

/// Inserts per scratch transaction.
const GROUP: u64 = 4096;

pub(crate) struct Seen {
    conn: Connection,
    path: PathBuf,
    pending: u64,
}

impl Seen {
    /// A fresh, empty set in `dir` (a file of the same name is replaced).
    pub(crate) fn create(dir: &Path) -> Result<Seen, BundleError> {
        let path = dir.join("seen.db");
        let _ = std::fs::remove_file(&path);
        let conn = Connection::open(&path).map_err(|e| scratch_error(&path, e))?;
        conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -4096; \
             CREATE TABLE seen (digest BLOB PRIMARY KEY) WITHOUT ROWID; BEGIN;",
        )
        .map_err(|e| scratch_error(&path, e))?;
        Ok(Seen {
            conn,
            path,
            pending: 0,
        })
    }

    /// False when `merge_hash` was met before.
    pub(crate) fn insert(&mut self, merge_hash: &str) -> Result<bool, BundleError> {
        let error = |e| scratch_error(&self.path, e);
        if self.pending == GROUP {
            self.conn.execute_batch("COMMIT; BEGIN").map_err(error)?;
            self.pending = 0;
        }
        self.pending += 1;
        let mut stmt = self
            .conn
            .prepare_cached("INSERT INTO seen (digest) VALUES (?1)")
            .map_err(error)?;
        match stmt.execute([key(merge_hash)]) {
            Ok(_) => Ok(true),
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => Ok(false),
            Err(e) => Err(error(e)),
        }
    }
}

fn scratch_error(path: &Path, err: rusqlite::Error) -> BundleError {
    BundleError::Spool {
        path: path.to_path_buf(),
        source: io::Error::other(err),
    }
}

/// The 32 bytes of a `sha256:<hex>` merge hash; anything else whole, so
/// distinct texts stay distinct.
fn key(merge_hash: &str) -> Vec<u8> {
    merge_hash
        .strip_prefix("sha256:")
        .and_then(|hex_part| hex::decode(hex_part).ok())
        .unwrap_or_else(|| merge_hash.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_found_across_groups() {
        let dir = tempfile::tempdir().unwrap();
        let mut seen = Seen::create(dir.path()).unwrap();
        let hash = |i: u64| format!("sha256:{i:064x}");
        for i in 0..(GROUP * 2 + 5) {
            assert!(seen.insert(&hash(i)).unwrap(), "{i}");
        }
        assert!(!seen.insert(&hash(3)).unwrap());
        assert!(!seen.insert(&hash(GROUP * 2 + 4)).unwrap());
        assert!(seen.insert("not a hash").unwrap());
        assert!(!seen.insert("not a hash").unwrap());
    }
}
