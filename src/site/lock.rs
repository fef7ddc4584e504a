//! The home's writer lock: one writing stella per home at a time.
//!
//! A writer holds an exclusive lock on `<home>/lock` for its whole run and
//! writes who it is into the file (pid, command line, since). A second writer
//! waits up to `--lock-wait` seconds, then fails naming the holder, so cron
//! jobs that overlap see who is in the way instead of `database is locked`.
//! Readers never take it. The OS releases the lock when the holder exits,
//! however it exits; a holder that ends normally empties the file first, so
//! the file names a process only while one holds it (or after one was
//! killed).
//!
//! Invariants (issue #28): the file is opened without following a symbolic
//! link and is 0600; the command line it records, and the holder an error
//! names, have every database password masked (`config::dsn::redact`), since
//! the file outlives a killed holder and the error ends up in cron mail.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::config::dsn::redact;
use crate::error::{Error, Result};

pub struct HomeLock {
    file: File,
}

impl HomeLock {
    pub fn acquire(home: &Path, wait: Duration, since: &str) -> Result<HomeLock> {
        let path = home.join("lock");
        let io = |e| Error::io("cannot use the home lock", &path)(e);
        let mut file = crate::trust::no_follow(
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false),
        )
        .open(&path)
        .map_err(io)?;
        // A lock file an older stella left 0644 becomes private.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(io)?;
        let deadline = Instant::now() + wait;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(Error::HomeBusy {
                        home: home.to_owned(),
                        holder: holder(&mut file),
                        waited_ms: wait.as_millis() as u64,
                    });
                }
                Err(TryLockError::Error(e)) => return Err(io(e)),
            }
        }
        let me = serde_json::json!({
            "pid": std::process::id(),
            "command": command_line(std::env::args()),
            "since": since,
        });
        file.set_len(0).and_then(|()| file.rewind()).map_err(io)?;
        writeln!(file, "{me}")
            .and_then(|()| file.flush())
            .map_err(io)?;
        Ok(HomeLock { file })
    }
}

impl Drop for HomeLock {
    /// Forgets the holder while still holding the lock (it is released when
    /// the file closes, after this). Best effort: a failure leaves a stale
    /// name, which only a reader of the file would see.
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
    }
}

/// The arguments joined by spaces, every password masked.
fn command_line(args: impl Iterator<Item = String>) -> String {
    redact(&args.collect::<Vec<_>>().join(" "))
}

/// `pid 123, `stella feedser bundle import x`, since 2026-…` from the lock
/// file, masked again: an older stella wrote the command line as it was.
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.rewind().and_then(|()| file.read_to_string(&mut text));
    match serde_json::from_str::<serde_json::Value>(text.trim()) {
        Ok(v) => format!(
            "pid {}, `{}`, since {}",
            v["pid"],
            redact(v["command"].as_str().unwrap_or("?")),
            v["since"].as_str().unwrap_or("?")
        ),
        Err(_) => "a process that has not said who it is yet".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    /// A lock file an older stella wrote holds the command line as it was.
    #[test]
    fn the_holder_named_in_an_error_is_masked_too() {
        let mut file = tempfile::tempfile().unwrap();
        let old = r#"{"command":"stella --database-url postgres://u:pw@db/x feedser bundle import b","pid":7,"since":"t"}"#;
        writeln!(file, "{old}").unwrap();
        assert_eq!(
            super::holder(&mut file),
            "pid 7, `stella --database-url postgres://u:********@db/x feedser bundle import b`, since t"
        );
    }

    #[test]
    fn the_command_line_is_recorded_without_passwords() {
        let args = [
            "stella",
            "--database-url",
            "postgresql://u:hunter2@db/x",
            "init",
        ];
        assert_eq!(
            super::command_line(args.iter().map(|s| s.to_string())),
            "stella --database-url postgresql://u:********@db/x init"
        );
    }
}
