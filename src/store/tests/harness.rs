//! One store under test plus raw access to its database behind the store's
//! back, for either backend, and [`store_suite!`], which expands each suite
//! function `f(&mut Harness)` into `sqlite::f` and `postgres::f` tests.
//!
//! SQLite runs on a temporary file so a second plain connection can look at
//! (and damage) the rows; PostgreSQL gets a fresh database from `TestDb`,
//! which skips the test with a notice when no server is reachable outside
//! CI and fails under `CI=true`. The store is dropped before its database.

use std::path::PathBuf;

use rusqlite::Connection;
use tempfile::TempDir;

use super::TestClock;
use crate::store::Store;
use crate::store::postgres::tests::TestDb;
use crate::store::sqlite::SqliteStore;

/// Plain SQL on the store's database, unqualified table names.
pub trait Raw {
    fn exec(&self, sql: &str);
    /// The first column of the first row, as an integer.
    fn scalar(&self, sql: &str) -> i64;
    /// Every row, its first `cols` columns as text.
    fn texts(&self, sql: &str, cols: usize) -> Vec<Vec<String>>;
}

pub struct Harness {
    pub store: Box<dyn Store>,
    pub clock: TestClock,
    pub raw: Box<dyn Raw>,
}

impl Harness {
    /// A migrated SQLite store in a temporary file, its clock at 0.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let clock = TestClock::at(0);
        let store = SqliteStore::open(&path).unwrap().with_clock(clock.boxed());
        let raw = SqliteRaw { _dir: dir, path };
        Self {
            store: Box::new(store),
            clock,
            raw: Box::new(raw),
        }
    }

    /// A PostgreSQL store in the `vuln` schema of a fresh database, its
    /// clock at 0; `None` when the test is to be skipped.
    pub fn postgres() -> Option<Self> {
        let db = TestDb::create()?;
        let clock = TestClock::at(0);
        let store = db.store(&clock);
        Some(Self {
            store: Box::new(store),
            clock,
            raw: Box::new(db),
        })
    }

    pub fn count(&self, table: &str) -> i64 {
        self.raw.scalar(&format!("SELECT count(*) FROM {table}"))
    }
}

struct SqliteRaw {
    _dir: TempDir,
    path: PathBuf,
}

impl SqliteRaw {
    fn conn(&self) -> Connection {
        Connection::open(&self.path).unwrap()
    }
}

impl Raw for SqliteRaw {
    fn exec(&self, sql: &str) {
        self.conn().execute_batch(sql).unwrap();
    }

    fn scalar(&self, sql: &str) -> i64 {
        self.conn().query_row(sql, [], |row| row.get(0)).unwrap()
    }

    fn texts(&self, sql: &str, cols: usize) -> Vec<Vec<String>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt.query_map([], |row| (0..cols).map(|i| row.get(i)).collect());
        rows.unwrap().collect::<Result<_, _>>().unwrap()
    }
}

impl Raw for TestDb {
    fn exec(&self, sql: &str) {
        TestDb::exec(self, "vuln", sql);
    }

    fn scalar(&self, sql: &str) -> i64 {
        let mut client = self.client();
        client.batch_execute("SET search_path TO vuln").unwrap();
        client.query_one(sql, &[]).unwrap().get(0)
    }

    fn texts(&self, sql: &str, cols: usize) -> Vec<Vec<String>> {
        let mut client = self.client();
        client.batch_execute("SET search_path TO vuln").unwrap();
        let rows = client.query(sql, &[]).unwrap();
        rows.iter()
            .map(|row| (0..cols).map(|i| row.get(i)).collect())
            .collect()
    }
}

/// Runs each named suite function on both stores: `sqlite::name` and
/// `postgres::name`.
macro_rules! store_suite {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name(&mut $crate::store::tests::Harness::sqlite());
                }
            )+
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    if let Some(mut h) = $crate::store::tests::Harness::postgres() {
                        super::$name(&mut h);
                    }
                }
            )+
        }
    };
}
pub(crate) use store_suite;
