//! sha256 of a stream of bytes, computed on a thread of its own so that the
//! reading thread only copies the bytes on (a copy costs a tenth of hashing
//! them). The reader hashes every compressed byte twice (once for the
//! bundle's hash, once for the body frame that holds it), and with this the
//! decoder does neither. The thread starts with the first full chunk: a
//! stream shorter than that (a small bundle) is hashed where it is, at the
//! end, as starting a thread would cost more than the hashing.
//!
//! Chunks are whole ([`CHUNK`] bytes, the last one excepted) and come back
//! from the thread once hashed, to be filled again: no chunk grows, and a
//! bundle of any size allocates a few of them (fresh memory costs a page
//! fault per 4 KiB touched, what a copy of that page costs many times over).
//!
//! Invariant: the digest is exactly sha256 of the bytes given to `update`,
//! in order, whichever thread computed it. Where no thread can be started,
//! the hashing happens here instead.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

/// Bytes gathered before they are handed over.
const CHUNK: usize = 128 << 10;
/// Chunks waiting at most.
const QUEUE: usize = 8;

pub(crate) struct Sha256Thread {
    pending: Vec<u8>,
    inner: Inner,
}

enum Inner {
    /// Fewer than [`CHUNK`] bytes so far: a short stream (a small bundle)
    /// is hashed by `finish`, here, and starts no thread.
    Unstarted,
    Here(Sha256),
    There {
        tx: SyncSender<Vec<u8>>,
        handle: JoinHandle<Sha256>,
        /// Chunks hashed, to be filled again.
        spent: Receiver<Vec<u8>>,
    },
}

impl Sha256Thread {
    pub(crate) fn new() -> Self {
        Self {
            pending: Vec::with_capacity(CHUNK),
            inner: Inner::Unstarted,
        }
    }

    pub(crate) fn update(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            // Asked each round: a thread that could not be started leaves
            // the rest of the bytes to be hashed here.
            if let Inner::Here(hasher) = &mut self.inner {
                return hasher.update(bytes);
            }
            let room = CHUNK - self.pending.len();
            let (now, later) = bytes.split_at(room.min(bytes.len()));
            self.pending.extend_from_slice(now);
            bytes = later;
            if self.pending.len() == CHUNK {
                self.hand_over();
            }
        }
    }

    /// Hands the full chunk over, and takes a spent one (or a new one) to
    /// fill next.
    fn hand_over(&mut self) {
        let next = match &self.inner {
            Inner::There { spent, .. } => spent.try_recv().ok(),
            _ => None,
        };
        let mut next = next.unwrap_or_else(|| Vec::with_capacity(CHUNK));
        next.clear();
        let chunk = std::mem::replace(&mut self.pending, next);
        match &self.inner {
            Inner::Unstarted => self.inner = start(chunk),
            // The thread only ends when `tx` is dropped (or panics, which
            // `finish` raises again).
            Inner::There { tx, .. } => drop(tx.send(chunk)),
            Inner::Here(_) => {}
        }
    }

    /// `sha256:<hex>` of every byte given.
    pub(crate) fn finish(self) -> String {
        let hasher = match self.inner {
            Inner::Unstarted => Sha256::new_with_prefix(&self.pending),
            Inner::Here(hasher) => hasher,
            Inner::There { tx, handle, .. } => {
                if !self.pending.is_empty() {
                    let _ = tx.send(self.pending);
                }
                drop(tx);
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }
        };
        crate::model::sha256_tag(hasher)
    }
}

/// The hashing thread, given its first chunk; where no thread can be
/// started, the hashing goes on here.
fn start(first: Vec<u8>) -> Inner {
    let (tx, rx) = sync_channel::<Vec<u8>>(QUEUE);
    // Room for every chunk there is: the thread never waits to give one back.
    let (give_back, spent) = sync_channel::<Vec<u8>>(QUEUE + 2);
    let spawned = match spawn_refused() {
        true => Err(std::io::Error::other("no thread")),
        false => std::thread::Builder::new()
            .name("sha256".into())
            .spawn(move || {
                let mut hasher = Sha256::new();
                for chunk in rx {
                    hasher.update(&chunk);
                    let _ = give_back.try_send(chunk);
                }
                hasher
            }),
    };
    match spawned {
        Ok(handle) => {
            let _ = tx.send(first);
            Inner::There { tx, handle, spent }
        }
        Err(_) => Inner::Here(Sha256::new_with_prefix(&first)),
    }
}

#[cfg(test)]
thread_local! {
    /// Tests: no hashing thread starts, as when the system has none left.
    static REFUSE_SPAWN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn spawn_refused() -> bool {
    #[cfg(test)]
    return REFUSE_SPAWN.get();
    #[cfg(not(test))]
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest_in_parts(bytes: &[u8], part: usize) -> (String, bool) {
        let mut there = Sha256Thread::new();
        for part in bytes.chunks(part) {
            there.update(part);
            // Whole chunks only: the one being filled never grows.
            assert_eq!(there.pending.capacity(), CHUNK);
        }
        let started = matches!(there.inner, Inner::There { .. });
        (there.finish(), started)
    }

    #[test]
    fn the_digest_is_of_every_byte_in_order() {
        let bytes: Vec<u8> = (0..(3 * CHUNK + 17)).map(|i| (i * 7 % 251) as u8).collect();
        let expected = crate::model::sha256_tagged(&bytes);
        assert_eq!(digest_in_parts(&bytes, 1000), (expected.clone(), true));
        assert_eq!(
            digest_in_parts(&bytes, bytes.len()),
            (expected.clone(), true)
        );
        let mut here = Sha256Thread {
            pending: Vec::new(),
            inner: Inner::Here(Sha256::new()),
        };
        here.update(&bytes);
        assert_eq!(here.finish(), expected);
    }

    /// Without a thread the hashing goes on here from the first chunk on,
    /// the rest of that same read included.
    #[test]
    fn without_a_thread_every_byte_is_hashed_here() {
        let bytes: Vec<u8> = (0..(3 * CHUNK + 5)).map(|i| (i % 241) as u8).collect();
        REFUSE_SPAWN.set(true);
        let mut here = Sha256Thread::new();
        here.update(&bytes[..10]);
        here.update(&bytes[10..]);
        REFUSE_SPAWN.set(false);
        assert!(matches!(here.inner, Inner::Here(_)));
        assert_eq!(here.finish(), crate::model::sha256_tagged(&bytes));
    }

    /// A stream shorter than a chunk is hashed without a thread.
    #[test]
    fn a_short_stream_starts_no_thread() {
        let bytes: Vec<u8> = (0..CHUNK).map(|i| (i % 13) as u8).collect();
        for len in [0, 1, CHUNK - 1] {
            let part = bytes.get(..len).unwrap();
            let expected = crate::model::sha256_tagged(part);
            assert_eq!(digest_in_parts(part, 7), (expected, false), "{len}");
        }
        let expected = crate::model::sha256_tagged(&bytes);
        assert_eq!(digest_in_parts(&bytes, 7), (expected, true));
    }
}
