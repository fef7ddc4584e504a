//! `bundle export -o -` refuses a terminal on stdout, as `zstd` does (#27):
//! run in tmux (a real terminal); without tmux the test says it skipped,
//! and under `CI=true` it fails instead.

use std::time::Duration;

use crate::harness::*;

fn tmux(args: &[&str]) -> std::process::Output {
    std::process::Command::new("tmux")
        .args(args)
        .output()
        .expect("run tmux")
}

/// Waits up to 10 s for the pane to show `text`; returns the last capture.
fn wait_for(session: &str, text: &str) -> String {
    let mut screen = String::new();
    for _ in 0..200 {
        let out = tmux(&["capture-pane", "-p", "-J", "-t", session]);
        screen = String::from_utf8_lossy(&out.stdout).into_owned();
        if screen.contains(text) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    screen
}

#[test]
fn export_to_a_terminal_is_refused() {
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
        eprintln!("skipped: export_to_a_terminal_is_refused: tmux is not installed");
        return;
    }
    let a = site_with_data(Backend::Sqlite);
    let script = a.path("export.sh");
    let body = format!(
        "{} --home {} feedser bundle export -o -; echo \"exit=$?\"; sleep 30\n",
        BIN,
        a.home().display()
    );
    std::fs::write(&script, body).unwrap();
    let session = format!("stella-tty-{}", std::process::id());
    let command = format!("sh {}", script.display());
    let started = tmux(&[
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        "200",
        "-y",
        "20",
        &command,
    ]);
    assert!(started.status.success(), "{started:?}");
    let screen = wait_for(&session, "exit=");
    tmux(&["kill-session", "-t", &session]);
    assert!(
        screen.contains(
            "error: refusing to write a bundle to a terminal; redirect stdout or use -o FILE\nexit=2"
        ),
        "{screen}"
    );
    // Off a terminal the same command writes the bundle.
    let piped = a.cmd(&["feedser", "bundle", "export", "-o", "-"]).ok();
    assert!(piped.stdout_bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]));
}
