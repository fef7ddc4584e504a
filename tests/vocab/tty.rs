//! `bundle export -o -` refuses a terminal on stdout, as `zstd` does (#27):
//! run in tmux (a real terminal); without tmux the test says it skipped,
//! and under `CI=true` it fails instead.

use crate::harness::*;
use crate::terminal::Pane;

#[test]
fn export_to_a_terminal_is_refused() {
    let a = site_with_data(Backend::Sqlite);
    let script = a.path("export.sh");
    let body = format!(
        "{} --home {} feedser bundle export -o -; echo \"exit=$?\"; sleep 30\n",
        BIN,
        a.home().display()
    );
    std::fs::write(&script, body).unwrap();
    let Some(pane) = Pane::start("export_to_a_terminal_is_refused", &script, 200, 20) else {
        return;
    };
    let screen = pane.wait_for("exit=");
    drop(pane);
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
