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

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

pub struct HomeLock {
    file: File,
}

impl HomeLock {
    pub fn acquire(home: &Path, wait: Duration, since: &str) -> Result<HomeLock> {
        let path = home.join("lock");
        let io = |e| Error::io("cannot use the home lock", &path)(e);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
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
            "command": std::env::args().collect::<Vec<_>>().join(" "),
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

/// `pid 123, `stella feedser bundle import x`, since 2026-…` from the lock file.
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.rewind().and_then(|()| file.read_to_string(&mut text));
    match serde_json::from_str::<serde_json::Value>(text.trim()) {
        Ok(v) => format!(
            "pid {}, `{}`, since {}",
            v["pid"],
            v["command"].as_str().unwrap_or("?"),
            v["since"].as_str().unwrap_or("?")
        ),
        Err(_) => "a process that has not said who it is yet".to_owned(),
    }
}
