//! `feedser serve` against hostile clients (#26): slow and trickling
//! connections, connection caps, and one import per peer at a time.
//! Sockets on loopback only, bounded in count and time.

mod caps;
mod slow;

use std::time::{Duration, Instant};

use crate::serve::Server;

/// `Threads:` of /proc/PID/status.
fn threads(server: &Server) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid())).unwrap();
    let line = status.lines().find(|l| l.starts_with("Threads:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Waits (at most 10 s) until `ok` holds.
#[track_caller]
fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The JSON refusal the server writes for `reason`.
fn refusal(reason: &str, error: &str) -> String {
    format!(
        "{{\n  \"success\": false,\n  \"reason\": \"{reason}\",\n  \"error\": \"{error}\"\n}}\n"
    )
}
