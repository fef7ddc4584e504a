//! A real terminal for the tests that need one: a tmux session running a
//! shell script, its screen read back until it shows some text.
//!
//! Invariant: without tmux a test skips, saying so, unless `CI=true`
//! (where `.ci/run` installs tmux), where it fails instead; a session is
//! killed when its [`Pane`] goes, even when the test fails.

use std::path::Path;
use std::time::Duration;

fn tmux(args: &[&str]) -> std::process::Output {
    std::process::Command::new("tmux")
        .args(args)
        .output()
        .expect("run tmux")
}

/// A tmux session running one script.
pub struct Pane {
    session: String,
}

impl Pane {
    /// Runs `sh script` in a detached `width`×`height` session named after
    /// `test`; `None` (after saying `test` skipped) without tmux.
    pub fn start(test: &str, script: &Path, width: u16, height: u16) -> Option<Pane> {
        if std::process::Command::new("tmux")
            .arg("-V")
            .output()
            .is_err()
        {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "tmux is not installed: CI=true runs every test (.ci/run installs tmux)"
            );
            eprintln!("skipped: {test}: tmux is not installed");
            return None;
        }
        let session = format!("stella-{test}-{}", std::process::id());
        let command = format!("sh {}", script.display());
        let (x, y) = (width.to_string(), height.to_string());
        let started = tmux(&[
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            &x,
            "-y",
            &y,
            &command,
        ]);
        assert!(started.status.success(), "{started:?}");
        Some(Pane { session })
    }

    /// The screen, wrapped lines joined.
    pub fn capture(&self) -> String {
        let out = tmux(&["capture-pane", "-p", "-J", "-t", &self.session]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits up to 10 s for the screen to show `text`; returns the last capture.
    pub fn wait_for(&self, text: &str) -> String {
        let mut screen = String::new();
        for _ in 0..200 {
            screen = self.capture();
            if screen.contains(text) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        screen
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        tmux(&["kill-session", "-t", &self.session]);
    }
}
