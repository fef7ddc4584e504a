//! Health checks for a stella home, behind `stella doctor`.
//!
//! Each check returns [`Finding`]s: a status, the check's name and a detail
//! that, for a warning or a failure, says what to do. The checks only read:
//! file modes, key files, the journal, the store's cursor, the filesystem's
//! free space, the TLS certificate's validity. Invariant: a check never fails the whole run; whatever goes
//! wrong becomes a `fail` finding, so the operator sees every problem at
//! once. Checks that need the store or the config are run by the command.

mod audit;
mod home;
mod keys;
mod links;
#[cfg(feature = "serve")]
mod tls;

use std::path::Path;

use serde::Serialize;

use crate::cursor::Cursor;
use crate::journal::{Journal, State};

pub use audit::audit;
pub use home::{config, home};
pub use keys::keys;
pub use links::two_way_links;
#[cfg(feature = "serve")]
pub use tls::{TLS_WARN_DAYS, tls_certificate};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub status: Status,
    pub check: &'static str,
    pub detail: String,
}

impl Finding {
    pub fn new(status: Status, check: &'static str, detail: impl Into<String>) -> Finding {
        Finding {
            status,
            check,
            detail: detail.into(),
        }
    }
}

/// Free space below which the disk check fails, and warns.
pub const DISK_FAIL_BYTES: u64 = 64 << 20;
pub const DISK_WARN_BYTES: u64 = 1 << 30;
/// How far the newest change may lie ahead of the clock before it is a failure.
pub const CLOCK_SLACK_MS: i64 = 5 * 60 * 1000;

/// Imports left unfinished or abandoned in the journal, and what killed
/// exports left in `spool` (issue #28).
pub fn journal(journal: &Journal, spool: &Path) -> Finding {
    let entries = match journal.entries(false, 10_000) {
        Ok(entries) => entries,
        Err(e) => return Finding::new(Status::Fail, "journal", format!("{e}")),
    };
    let open = entries.iter().filter(|e| e.state.is_open()).count();
    let abandoned = entries
        .iter()
        .filter(|e| e.state == State::Abandoned)
        .count();
    let leftovers = crate::journal::unheld(spool, |_| false).len();
    match (open, abandoned, leftovers) {
        (0, 0, 0) => Finding::new(
            Status::Ok,
            "journal",
            format!(
                "{}, none unfinished",
                crate::units::count(entries.len() as u64, "import")
            ),
        ),
        (0, 0, n) => Finding::new(
            Status::Warn,
            "journal",
            format!(
                "{} left in `{}` by interrupted exports: `stella feedser journal gc` removes them",
                crate::units::count(n as u64, "file"),
                spool.display()
            ),
        ),
        _ => Finding::new(
            Status::Warn,
            "journal",
            format!(
                "{} under way, {abandoned} abandoned: see `stella feedser journal status`; `stella feedser journal gc` forgets old ones",
                crate::units::count(open as u64, "import")
            ),
        ),
    }
}

/// The site's newest change must not lie in the future of this clock.
pub fn clock(newest: Option<Cursor>, now_ms: i64) -> Finding {
    let Some(cursor) = newest else {
        return Finding::new(Status::Ok, "clock", "no local changes yet");
    };
    let ahead = cursor.millis() - now_ms;
    if ahead > CLOCK_SLACK_MS {
        let detail = format!(
            "the newest local change `{cursor}` is {} of this clock: check the system time (NTP) before exporting",
            crate::units::skew_ms(ahead)
        );
        return Finding::new(Status::Fail, "clock", detail);
    }
    Finding::new(
        Status::Ok,
        "clock",
        format!("newest local change `{cursor}` is not in the future"),
    )
}

/// Free space on the home's filesystem.
pub fn disk(root: &Path) -> Finding {
    let stat = match rustix::fs::statvfs(root) {
        Ok(stat) => stat,
        Err(e) => {
            return Finding::new(
                Status::Fail,
                "disk",
                format!("cannot stat the filesystem of `{}`: {e}", root.display()),
            );
        }
    };
    let free = stat.f_bavail.saturating_mul(stat.f_frsize);
    let text = format!("{} free on the home's filesystem", crate::units::size(free));
    match free {
        f if f < DISK_FAIL_BYTES => Finding::new(
            Status::Fail,
            "disk",
            format!("{text}: free space before importing or exporting"),
        ),
        f if f < DISK_WARN_BYTES => Finding::new(
            Status::Warn,
            "disk",
            format!("{text}: large imports stage their bundle there"),
        ),
        _ => Finding::new(Status::Ok, "disk", text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_ahead_of_the_clock_fails() {
        let now = 1_700_000_000_000;
        let ahead = Cursor::new(now + CLOCK_SLACK_MS + 60_000, 3);
        assert_eq!(clock(Some(ahead), now).status, Status::Fail);
        assert_eq!(clock(Some(Cursor::new(now, 3)), now).status, Status::Ok);
        assert_eq!(clock(None, now).status, Status::Ok);
    }
}
