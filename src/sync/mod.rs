//! The sync client (#27): one command for cron that moves a peer's delta
//! over its HTTP API (`feedser serve`) instead of a hand-written curl loop.
//!
//! * [`pull`]: `GET /api/v1/federation/export?since=` this site's cursor
//!   for the peer (escaped, `#` as `%23`), each answer spooled whole to a
//!   file before the caller's [`Receiver`] imports it, then again from the
//!   new cursor while the peer says `X-Stella-More: true`; 204 is "up to
//!   date". A dropped connection (or a 503) is retried with backoff, from
//!   the cursor the site holds then: what was imported stays imported and
//!   nothing is imported twice.
//! * push ([`peer_cursor`], [`send`]): the peer's cursor for this site from
//!   `GET /api/v1/federation/sync/status`, then each bundle the caller
//!   exported from it `POST`ed in order to the import endpoint (a retried
//!   part the peer already took is a no-op success there).
//!
//! The import and the export themselves stay with the caller (the site
//! layer), so a pulled bundle goes through the same import as `bundle
//! import`: journal, ledger, quarantine, audit and exit codes.
//!
//! Invariants: a bundle is never imported from a body that was cut short
//! (`http` fails such a read); `https://` is refused, not downgraded.

mod error;
pub mod http;
mod pull;
mod push;

pub use error::SyncError;
pub use http::Peer;
pub use pull::{PullReport, Receiver, pull};
pub use push::{peer_cursor, send};

use std::time::Duration;

/// How often a dropped connection is tried again, and how long to wait.
#[derive(Clone, Copy, Debug)]
pub struct Retry {
    /// Attempts after the first failure of one request.
    pub attempts: u32,
    /// The wait before the first retry; it doubles for each next one.
    pub first_delay: Duration,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            attempts: 4,
            first_delay: Duration::from_millis(250),
        }
    }
}

impl Retry {
    /// The wait before retry number `n` (from 1).
    pub fn delay(&self, n: u32) -> Duration {
        self.first_delay
            .saturating_mul(1u32.checked_shl(n.saturating_sub(1)).unwrap_or(u32::MAX))
    }
}

/// What one request failed with: worth another try, or final.
enum Fault {
    Dropped(std::io::Error),
    Final(SyncError),
}

/// Runs `attempt` until it succeeds, fails for good, or has dropped
/// `retry.attempts + 1` times; `retries` counts the waits.
fn with_retries<T>(
    peer: &Peer,
    retry: &Retry,
    retries: &mut u32,
    mut attempt: impl FnMut() -> Result<T, Fault>,
) -> Result<T, SyncError> {
    let mut failed = 0;
    loop {
        match attempt() {
            Ok(value) => return Ok(value),
            Err(Fault::Final(e)) => return Err(e),
            Err(Fault::Dropped(source)) if failed >= retry.attempts => {
                return Err(SyncError::Dropped {
                    url: peer.url.clone(),
                    tries: failed + 1,
                    source,
                });
            }
            Err(Fault::Dropped(source)) => {
                failed += 1;
                *retries += 1;
                log::warn!(
                    "connection to {} failed ({source}): retry {failed}",
                    peer.url
                );
                std::thread::sleep(retry.delay(failed));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles() {
        let retry = Retry::default();
        let ms = |n| retry.delay(n).as_millis();
        assert_eq!((ms(1), ms(2), ms(3), ms(4)), (250, 500, 1000, 2000));
    }
}
