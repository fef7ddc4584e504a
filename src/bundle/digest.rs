//! sha256 of a stream of bytes, computed on a thread of its own so that the
//! reading thread only copies the bytes on (a copy costs a tenth of hashing
//! them). The reader hashes every compressed byte twice (once for the
//! bundle's hash, once for the body frame that holds it), and with this the
//! decoder does neither.
//!
//! Invariant: the digest is exactly sha256 of the bytes given to `update`,
//! in order, whichever thread computed it. Where no thread can be started,
//! the hashing happens here instead.

use std::sync::mpsc::{SyncSender, sync_channel};
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
    Here(Sha256),
    There {
        tx: SyncSender<Vec<u8>>,
        handle: JoinHandle<Sha256>,
    },
}

impl Sha256Thread {
    pub(crate) fn new() -> Self {
        let (tx, rx) = sync_channel::<Vec<u8>>(QUEUE);
        let spawned = std::thread::Builder::new()
            .name("sha256".into())
            .spawn(move || {
                let mut hasher = Sha256::new();
                for chunk in rx {
                    hasher.update(&chunk);
                }
                hasher
            });
        let inner = match spawned {
            Ok(handle) => Inner::There { tx, handle },
            Err(_) => Inner::Here(Sha256::new()),
        };
        Self {
            pending: Vec::new(),
            inner,
        }
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        match &mut self.inner {
            Inner::Here(hasher) => hasher.update(bytes),
            Inner::There { tx, .. } => {
                self.pending.extend_from_slice(bytes);
                if self.pending.len() >= CHUNK {
                    let chunk = std::mem::replace(&mut self.pending, Vec::with_capacity(CHUNK));
                    // The thread only ends when `tx` is dropped (or panics,
                    // which `finish` raises again).
                    let _ = tx.send(chunk);
                }
            }
        }
    }

    /// `sha256:<hex>` of every byte given.
    pub(crate) fn finish(self) -> String {
        let hasher = match self.inner {
            Inner::Here(hasher) => hasher,
            Inner::There { tx, handle } => {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_of_every_byte_in_order() {
        let bytes: Vec<u8> = (0..(3 * CHUNK + 17)).map(|i| (i * 7 % 251) as u8).collect();
        let mut there = Sha256Thread::new();
        for part in bytes.chunks(1000) {
            there.update(part);
        }
        let mut here = Sha256Thread {
            pending: Vec::new(),
            inner: Inner::Here(Sha256::new()),
        };
        here.update(&bytes);
        let expected = crate::model::sha256_tagged(&bytes);
        assert_eq!(
            (there.finish(), here.finish()),
            (expected.clone(), expected)
        );
        assert_eq!(
            Sha256Thread::new().finish(),
            crate::model::sha256_tagged(b"")
        );
    }
}
