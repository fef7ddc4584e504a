//! A signal that comes after an export is done (while its report prints)
//! ends the process as it would any other: the export's handlers are gone
//! and the default action is back, not an ignored signal.

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

use crate::harness::*;

/// The child's status once it ended, or `None` after `within`.
fn ended(child: &mut std::process::Child, within: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[test]
fn sigint_after_an_export_ends_the_process() {
    let a = site_with_data(Backend::Sqlite);
    let target = a.path("x.tar.zst");
    let mut child = spawn_export(&a, &target, "exported");
    let pause = a.home().join("spool").join("exported.paused");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !pause.exists() {
        assert!(Instant::now() < deadline, "the export never paused");
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = ended(&mut child, Duration::from_secs(10));
    // Ignored, the signal would leave it paused: let it go on to say so.
    let _ = std::fs::remove_file(&pause);
    let status = status.unwrap_or_else(|| child.wait().unwrap());
    assert_eq!(status.signal(), Some(2), "{status:?}");
    assert!(target.exists(), "the export itself was done");
}
