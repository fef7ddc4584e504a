//! One import at a time per sender: a peer site (by its credentials) or,
//! for the admin, a client address. A sender's second import waits on its
//! connection's thread until the first has been answered, then runs (and
//! finds a bundle the first imported in the ledger: it never runs twice).
//!
//! Why wait rather than answer 409: a client that retries after a timeout
//! gets the first import's result as a replay, not an error. Why per
//! sender: one peer trickling its body delays no other peer, and the
//! bodies spooled at once are at most one per sender.
//!
//! Invariant: a [`Turn`] is given back exactly once, when it drops
//! (however the import ends), and every waiter is then woken.

use std::collections::HashSet;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// How often a waiter looks at the stop flag.
const POLL: Duration = Duration::from_millis(200);

/// The senders with an import in flight.
#[derive(Default)]
pub struct Senders {
    busy: Mutex<HashSet<String>>,
    freed: Condvar,
}

/// A sender's place; given back on drop.
pub struct Turn<'a> {
    owner: &'a Senders,
    sender: String,
}

impl Senders {
    fn busy(&self) -> MutexGuard<'_, HashSet<String>> {
        self.busy.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until `sender` has no import in flight and takes its turn;
    /// `None` once `stop` holds.
    pub fn turn(&self, sender: &str, stop: impl Fn() -> bool) -> Option<Turn<'_>> {
        let mut busy = self.busy();
        while busy.contains(sender) {
            if stop() {
                return None;
            }
            busy = match self.freed.wait_timeout(busy, POLL) {
                Ok((busy, _)) => busy,
                Err(p) => p.into_inner().0,
            };
        }
        busy.insert(sender.to_owned());
        Some(Turn {
            owner: self,
            sender: sender.to_owned(),
        })
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.owner.busy().remove(&self.sender);
        self.owner.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn a_sender_waits_for_its_own_turn_only() {
        let senders = Senders::default();
        let first = senders.turn("site-a", || false).unwrap();
        let other = senders.turn("site-b", || false);
        assert!(other.is_some(), "another sender does not wait");
        let stop = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let second = scope.spawn(|| senders.turn("site-a", || false).is_some());
            std::thread::sleep(Duration::from_millis(100));
            assert!(!second.is_finished(), "the same sender waits");
            drop(first);
            assert!(second.join().unwrap());
        });
        let held = senders.turn("site-a", || false).unwrap();
        stop.store(true, Ordering::SeqCst);
        assert!(
            senders
                .turn("site-a", || stop.load(Ordering::SeqCst))
                .is_none()
        );
        drop(held);
    }
}
