//! A throwaway database per test, dropped again when the guard goes out of
//! scope (also when the test fails), so tests run in parallel.
//!
//! The server is the local PostgreSQL (`postgres` user, trust auth), reached
//! through its `test` database. When it cannot be reached the test is
//! skipped with a message, except under CI (`CI=true`), where it fails.

use std::sync::atomic::{AtomicU32, Ordering};

use postgres::{Client, NoTls};

use super::super::{PgOptions, PgStore, migrate};
use super::TestClock;

/// The maintenance connection; each test database is created through it.
pub const ADMIN_DSN: &str = "host=127.0.0.1 port=5432 user=postgres dbname=test";

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub struct TestDb {
    pub name: String,
    pub dsn: String,
}

impl TestDb {
    /// A fresh empty database, or `None` (after saying why) when there is
    /// no server outside CI.
    pub fn create() -> Option<Self> {
        let mut admin = match Client::connect(ADMIN_DSN, NoTls) {
            Ok(client) => client,
            Err(e) => {
                let why = format!("PostgreSQL not reachable at {ADMIN_DSN}: {e}");
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!("{why}");
                }
                eprintln!("skipped: {why}");
                return None;
            }
        };
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let random = uuid::Uuid::new_v4().simple().to_string();
        let name = format!("stella_t_{}_{n}_{}", std::process::id(), &random[..8]);
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create the test database");
        let dsn = format!("host=127.0.0.1 port=5432 user=postgres dbname={name}");
        Some(Self { name, dsn })
    }

    /// A plain connection to this database, for checks behind the store's back.
    pub fn client(&self) -> Client {
        Client::connect(&self.dsn, NoTls).expect("connect to the test database")
    }

    /// Migrates `schema` and connects a store to it with a test clock.
    pub fn store_in(&self, schema: &str, clock: &TestClock, options: &PgOptions) -> PgStore {
        migrate(&self.dsn, schema, options).expect("migrate");
        PgStore::connect(&self.dsn, schema, options)
            .expect("connect")
            .with_clock(clock.boxed())
    }

    /// The default `vuln` schema with default options.
    pub fn store(&self, clock: &TestClock) -> PgStore {
        self.store_in("vuln", clock, &PgOptions::default())
    }

    /// A row count in `schema.table`.
    pub fn count(&self, schema: &str, table: &str) -> i64 {
        let sql = format!("SELECT count(*) FROM {schema}.{table}");
        self.client().query_one(&sql, &[]).expect("count").get(0)
    }

    /// Runs SQL statements with `schema` as the search path.
    pub fn exec(&self, schema: &str, sql: &str) {
        let mut client = self.client();
        client
            .batch_execute(&format!("SET search_path TO {schema}; {sql}"))
            .expect("exec");
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = Client::connect(ADMIN_DSN, NoTls) {
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            if let Err(e) = admin.batch_execute(&sql) {
                eprintln!("could not drop test database `{}`: {e}", self.name);
            }
        }
    }
}
