//! Fault and clock hooks for the integration tests, compiled only with the
//! `test-hooks` cargo feature (off by default; the tests turn it on through
//! stella's dev-dependency on itself). A build without the feature holds
//! neither the hooks nor the names of their variables:
//!
//! - `STELLA_TEST_NOW_MS` (unix milliseconds) replaces the site's clock and
//!   the store's feed clock; a value that is not an integer is ignored.
//! - `STELLA_TEST_ABORT_AT=<stage>` aborts the process (as `kill -9` would
//!   stop it) when an import reaches `admitted`, `staged`, `applying` or
//!   `committed`.
//! - `STELLA_TEST_PAUSE_AT=<stage>` creates `<staging>/<id>.paused` on
//!   reaching the stage and waits (up to a minute) until the test removes
//!   it; with `exporting`, an export to a file creates `<its spool>/paused`
//!   once its temporary output exists and waits likewise; with `exported`,
//!   an export creates `<the home's spool>/exported.paused` once its signal
//!   handlers are gone (before its report prints) and waits likewise.
//! - `STELLA_TEST_FREE_BYTES` (bytes) replaces the free space an import
//!   finds in `staging/` before it stages a bundle.
//! - `STELLA_TEST_INGEST_SCRATCH` (a path) replaces the directory an
//!   ingest into an empty store makes its scratch space in (the home).
//!
//! Invariant: without the feature every function here is a no-op that
//! returns `None`.

use std::path::{Path, PathBuf};

#[cfg(feature = "test-hooks")]
mod active {
    use std::path::{Path, PathBuf};
    use std::time::{Duration, Instant};

    const NOW_MS: &str = "STELLA_TEST_NOW_MS";
    const ABORT_AT: &str = "STELLA_TEST_ABORT_AT";
    const PAUSE_AT: &str = "STELLA_TEST_PAUSE_AT";
    const FREE_BYTES: &str = "STELLA_TEST_FREE_BYTES";
    const INGEST_SCRATCH: &str = "STELLA_TEST_INGEST_SCRATCH";

    pub fn ingest_scratch() -> Option<PathBuf> {
        std::env::var_os(INGEST_SCRATCH).map(PathBuf::from)
    }

    pub fn free_bytes() -> Option<u64> {
        std::env::var(FREE_BYTES).ok()?.trim().parse().ok()
    }

    pub fn now_millis() -> Option<i64> {
        std::env::var(NOW_MS).ok()?.trim().parse().ok()
    }

    pub fn pause_at() -> Option<String> {
        std::env::var(PAUSE_AT).ok()
    }

    pub fn abort_at(stage: &str) {
        if std::env::var(ABORT_AT).as_deref() == Ok(stage) {
            eprintln!("stella: test: aborting at `{stage}` ({ABORT_AT})");
            std::process::abort();
        }
    }

    /// Creates `file` and waits (up to a minute) until someone removes it.
    pub fn wait_while(file: &Path) {
        if std::fs::write(file, b"").is_err() {
            return;
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while file.exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The pinned clock, if any.
pub fn now_millis() -> Option<i64> {
    #[cfg(feature = "test-hooks")]
    return active::now_millis();
    #[cfg(not(feature = "test-hooks"))]
    None
}

/// The faked free space of the staging directory, if any.
pub fn free_bytes() -> Option<u64> {
    #[cfg(feature = "test-hooks")]
    return active::free_bytes();
    #[cfg(not(feature = "test-hooks"))]
    None
}

/// The directory an ingest's scratch space is to go in instead of the
/// home, if any.
pub fn ingest_scratch() -> Option<PathBuf> {
    #[cfg(feature = "test-hooks")]
    return active::ingest_scratch();
    #[cfg(not(feature = "test-hooks"))]
    None
}

/// An import reached `stage`: abort here if asked to.
pub fn abort_at(stage: &str) {
    #[cfg(feature = "test-hooks")]
    active::abort_at(stage);
    #[cfg(not(feature = "test-hooks"))]
    let _ = stage;
}

/// An import reached `stage` (its journal row updated): pause here if
/// asked to, on `pause_file`.
pub fn pause_at(stage: &str, pause_file: &Path) {
    #[cfg(feature = "test-hooks")]
    if active::pause_at().as_deref() == Some(stage) {
        active::wait_while(pause_file);
    }
    #[cfg(not(feature = "test-hooks"))]
    let _ = (stage, pause_file);
}

/// An export's temporary output exists in `spool`: pause here if asked to.
pub fn pause_export(spool: &Path) {
    pause_at("exporting", &spool.join("paused"));
}

/// An export is done and its signal handlers are gone: pause here if asked
/// to, on `exported.paused` in the home's `spool`.
pub fn pause_export_done(spool: &Path) {
    pause_at("exported", &spool.join("exported.paused"));
}
