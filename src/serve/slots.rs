//! What bounds the server's connections: a global cap and a cap per peer
//! address, checked at accept.
//!
//! Invariants: a [`Slot`] is released exactly once, when its guard drops
//! (the connection's thread ends, however it ends), so the counts never
//! drift; a peer's entry disappears with its last connection, so the map
//! holds at most `max_connections` entries.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};

/// Why a connection was not given a slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Full {
    Server,
    Peer,
}

#[derive(Default)]
struct Counts {
    total: usize,
    by_peer: HashMap<IpAddr, usize>,
}

/// The open connections, counted in total and per peer address.
pub struct Connections {
    max_total: usize,
    max_per_peer: usize,
    counts: Mutex<Counts>,
}

/// One open connection's place; released on drop.
pub struct Slot<'a> {
    owner: &'a Connections,
    peer: IpAddr,
}

impl Connections {
    pub fn new(max_total: usize, max_per_peer: usize) -> Connections {
        Connections {
            max_total: max_total.max(1),
            max_per_peer: max_per_peer.max(1),
            counts: Mutex::new(Counts::default()),
        }
    }

    fn counts(&self) -> MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A slot for a new connection from `peer`, unless a cap is reached.
    pub fn open(&self, peer: IpAddr) -> Result<Slot<'_>, Full> {
        let mut counts = self.counts();
        if counts.total >= self.max_total {
            return Err(Full::Server);
        }
        let mine = counts.by_peer.entry(peer).or_default();
        if *mine >= self.max_per_peer {
            return Err(Full::Peer);
        }
        *mine += 1;
        counts.total += 1;
        Ok(Slot { owner: self, peer })
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut counts = self.owner.counts();
        counts.total -= 1;
        if let Some(mine) = counts.by_peer.get_mut(&self.peer) {
            *mine -= 1;
            if *mine == 0 {
                counts.by_peer.remove(&self.peer);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_hold_and_slots_come_back() {
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        let conns = Connections::new(3, 2);
        let a1 = conns.open(a).unwrap();
        let _a2 = conns.open(a).unwrap();
        assert_eq!(conns.open(a).err(), Some(Full::Peer));
        let _b1 = conns.open(b).unwrap();
        assert_eq!(conns.open(b).err(), Some(Full::Server));
        drop(a1);
        assert_eq!(conns.counts().total, 2);
        let _b2 = conns.open(b).unwrap();
        assert_eq!(conns.open(a).err(), Some(Full::Server));
    }
}
