//! Which store a test site uses. Every store-facing test body runs once per
//! store (`on_both_stores!`); a PostgreSQL site gets a database of its own,
//! created for it and dropped when the site goes out of scope.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The server the PostgreSQL tests use (trust auth).
pub const ADMIN_URL: &str = "postgresql://postgres@127.0.0.1:5432/test";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// PostgreSQL when the server answers. Without it the test is skipped,
    /// saying so, unless `CI=true`, where a missing server is a failure.
    /// The skip notice goes straight to stderr, past libtest's capture, so
    /// a plain `cargo test` shows which tests did not run.
    pub fn postgres(test: &str) -> Option<Backend> {
        match postgres::Client::connect(ADMIN_URL, postgres::NoTls) {
            Ok(_) => Some(Backend::Postgres),
            Err(e) if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("PostgreSQL is required when CI=true but {ADMIN_URL} is not reachable: {e}")
            }
            Err(e) => {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "skipped: {test}: PostgreSQL not reachable at {ADMIN_URL}: {e}"
                );
                None
            }
        }
    }
}

/// A database that lives as long as its site.
pub struct Database {
    pub name: String,
}

impl Database {
    pub fn create() -> Database {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("stella_it_{}_{n}_{}", std::process::id(), nanos());
        let mut admin =
            postgres::Client::connect(ADMIN_URL, postgres::NoTls).expect("connect to PostgreSQL");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create test database");
        Database { name }
    }

    pub fn url(&self) -> String {
        format!("postgresql://postgres@127.0.0.1:5432/{}", self.name)
    }

    /// Cuts every connection to this database, as a server restart would.
    pub fn drop_connections(&self) {
        let mut admin = postgres::Client::connect(ADMIN_URL, postgres::NoTls).expect("connect");
        admin
            .execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                &[&self.name],
            )
            .expect("terminate backends");
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(ADMIN_URL, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

fn nanos() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos())
}

/// `on_both_stores!(a, b)` turns `fn a(store: Backend)` into the tests
/// `sqlite::a` and `postgres::a`.
#[macro_export]
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name($crate::backend::Backend::Sqlite) })*
        }
        mod postgres {
            $(#[test] fn $name() {
                let test = concat!(module_path!(), "::", stringify!($name));
                if let Some(store) = $crate::backend::Backend::postgres(test) { super::$name(store) }
            })*
        }
    };
}
