//! Exit codes: the one table cron jobs and scripts can rely on.
//!
//! Every error maps to exactly one of these (see `Error::exit`); the numbers
//! are part of the interface and documented in the README. Never renumber.

use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Everything asked for was done (a replayed bundle and an empty delta count).
    Success,
    /// An unexpected failure: I/O, an internal error.
    Failure,
    /// The command line was wrong (including a malformed cursor).
    Usage,
    /// The home or config file is missing or invalid.
    Config,
    /// The bundle is malformed, corrupt, truncated or over a limit.
    BundleInvalid,
    /// The signature is missing, invalid, or by a key not trusted for the site.
    SignatureInvalid,
    /// Site policy refused the bundle: unknown, disabled or not allowed site, size cap.
    PolicyRefused,
    /// The cursor check refused the bundle: stale, or a gap (missing delta).
    CursorRefused,
    /// `--on-conflict fail` met a conflict; nothing was written.
    Conflict,
    /// `ingest osv` refused a record; the rest were applied.
    PartialIngest,
    /// The store could not be opened, is busy, or failed.
    Store,
    /// A key could not be created, read or unlocked.
    Key,
    /// What was asked for does not exist (canonical, site, key).
    NotFound,
    /// `sites status --check`: the site's last import is older than the staleness budget.
    Stale,
    /// `audit verify`: the audit log was edited or truncated.
    AuditBroken,
    /// `doctor`: at least one health check failed.
    Unhealthy,
    /// Stopped by SIGINT (Ctrl-C); nothing was committed.
    Interrupted,
    /// Stopped by SIGTERM; nothing was committed.
    Terminated,
}

impl Exit {
    pub const ALL: [Exit; 18] = [
        Exit::Success,
        Exit::Failure,
        Exit::Usage,
        Exit::Config,
        Exit::BundleInvalid,
        Exit::SignatureInvalid,
        Exit::PolicyRefused,
        Exit::CursorRefused,
        Exit::Conflict,
        Exit::PartialIngest,
        Exit::Store,
        Exit::Key,
        Exit::NotFound,
        Exit::Stale,
        Exit::AuditBroken,
        Exit::Unhealthy,
        Exit::Interrupted,
        Exit::Terminated,
    ];

    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
            Exit::Config => 3,
            Exit::BundleInvalid => 4,
            Exit::SignatureInvalid => 5,
            Exit::PolicyRefused => 6,
            Exit::CursorRefused => 7,
            Exit::Conflict => 8,
            Exit::PartialIngest => 9,
            Exit::Store => 10,
            Exit::Key => 11,
            Exit::NotFound => 12,
            Exit::Stale => 13,
            Exit::AuditBroken => 14,
            Exit::Unhealthy => 15,
            Exit::Interrupted => 130,
            Exit::Terminated => 143,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_documented_table() {
        let codes: Vec<u8> = Exit::ALL.iter().map(|e| e.code()).collect();
        let mut expected: Vec<u8> = (0..=15).collect();
        expected.extend([130, 143]);
        assert_eq!(codes, expected);
    }

    #[test]
    fn readme_documents_every_code() {
        let readme = include_str!("../README.md");
        for exit in Exit::ALL {
            let row = format!("| {} | `{exit:?}` |", exit.code());
            assert!(readme.contains(&row), "README lacks the row `{row}`");
        }
    }
}
