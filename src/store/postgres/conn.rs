//! Connecting: DSN parsing, the printable target, schema-name checks, lock
//! keys and the mapping of driver errors to `StoreError` (message and
//! SQLSTATE as plain data, see `store::error`).
//!
//! Invariants:
//! - No error this module builds ever carries the password: the target is
//!   rebuilt from the parsed host, port, database and user, and every driver
//!   message is scrubbed of the password text before it is kept.
//! - A schema name is spliced into SQL only after [`check_schema`] accepted
//!   it (`[a-z_][a-z0-9_]{0,62}`), so it needs no quoting.

use std::time::Duration;

use postgres::config::Host;
use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};
use sha2::{Digest, Sha256};

use crate::store::{DbCode, DbFailure, Result, StoreError};

/// How long a connection attempt may take when the DSN does not say.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Accepts `[a-z_][a-z0-9_]{0,62}`: a PostgreSQL identifier that needs no quoting.
pub fn check_schema(schema: &str) -> Result<()> {
    let mut bytes = schema.bytes();
    let first_ok = bytes
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b == b'_');
    let rest_ok = bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if first_ok && rest_ok && schema.len() <= 63 {
        return Ok(());
    }
    Err(StoreError::Postgres(DbFailure::other(format!(
        "invalid schema name `{schema}`: use lowercase letters, digits and `_`, \
         not starting with a digit, at most 63 characters"
    ))))
}

/// A stable advisory-lock key for one purpose on one schema.
pub fn lock_key(purpose: &str, schema: &str) -> i64 {
    let digest = Sha256::digest(format!("stella/{purpose}/{schema}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// `host:port/dbname as user U`, from the parsed DSN (never the password).
pub fn target(config: &Config) -> String {
    let ports = config.get_ports();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
            match host {
                Host::Tcp(name) => format!("{name}:{port}"),
                Host::Unix(dir) => format!("{}:{port}", dir.display()),
            }
        })
        .collect();
    let hosts = if hosts.is_empty() {
        "localhost:5432".to_owned()
    } else {
        hosts.join(",")
    };
    let user = config.get_user().unwrap_or("(default user)");
    let dbname = config.get_dbname().unwrap_or(user);
    format!("{hosts}/{dbname} as user {user}")
}

/// Removes the password text from a message that came from the driver.
pub fn scrub(message: &str, config: &Config) -> String {
    match config.get_password().map(String::from_utf8_lossy) {
        Some(pw) if !pw.is_empty() => message.replace(pw.as_ref(), "********"),
        _ => message.to_owned(),
    }
}

/// One line describing a driver error: SQLSTATE, message and detail of a
/// server error, or the driver's own text with its causes.
pub fn describe(err: &postgres::Error) -> String {
    if let Some(db) = err.as_db_error() {
        let mut text = format!("{} ({})", db.message(), db.code().code());
        if let Some(detail) = db.detail() {
            text.push_str(&format!(": {detail}"));
        }
        return text;
    }
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.ends_with(&more) {
            text.push_str(&format!(": {more}"));
        }
        source = cause.source();
    }
    text
}

/// The driver's error as plain data: its SQLSTATE, and `message` to show.
fn failure(err: &postgres::Error, message: String) -> DbFailure {
    DbFailure {
        code: err.code().map(|c| DbCode::SqlState(c.code().to_owned())),
        message,
    }
}

pub fn pg(err: postgres::Error) -> StoreError {
    StoreError::Postgres(failure(&err, describe(&err)))
}

pub fn is_code(err: &postgres::Error, code: &SqlState) -> bool {
    err.code() == Some(code)
}

/// Parses the DSN (URL or key=value) and opens a plain connection.
pub fn open(dsn: &str) -> Result<(Client, Config)> {
    let mut config: Config = dsn
        .parse()
        .map_err(|e: postgres::Error| StoreError::Connect {
            target: "`(unparsable DSN)`".to_owned(),
            detail: describe(&e),
        })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    let client = config.connect(NoTls).map_err(|e| StoreError::Connect {
        target: target(&config),
        detail: scrub(&describe(&e), &config),
    })?;
    Ok((client, config))
}

/// Maps a driver error after connecting, scrubbing the password.
pub fn pg_scrubbed(config: &Config) -> impl Fn(postgres::Error) -> StoreError + '_ {
    move |e| StoreError::Postgres(failure(&e, scrub(&describe(&e), config)))
}
