//! Progress bars: drawn on stderr only, never when stderr is not a terminal
//! unless `--progress always`, never with `-q`; stdout is the same bytes
//! whatever the mode. `bars_render_on_a_real_terminal` runs stella in tmux
//! whenever tmux is installed; without tmux it says it skipped, and under
//! `CI=true` (where `.ci/run` installs tmux) it fails instead.

use crate::harness::*;
use crate::terminal::Pane;

const ESC: char = '\x1b';

/// Exports A's data to `name` with `progress` flags; returns the outcome
/// and the bundle bytes. Each run replaces the last one's file on purpose
/// (`--force`: export refuses to replace an existing file without it).
fn export(a: &Site, name: &str, flags: &[&str]) -> (Outcome, Vec<u8>) {
    let path = a.path(name);
    let mut args = flags.to_vec();
    args.extend([
        "feedser",
        "bundle",
        "export",
        "--force",
        "-o",
        path.to_str().unwrap(),
    ]);
    let out = a.cmd(&args).ok();
    let bytes = std::fs::read(&path).unwrap();
    (out, bytes)
}

fn export_draws_only_when_asked(store: Backend) {
    let a = site_with_data(store);
    let (never, bundle) = export(&a, "b.tar.zst", &["--progress", "never"]);
    assert_eq!(never.stderr, "");
    for flags in [
        &[][..],
        &["--progress", "auto"],
        &["-q", "--progress", "always"],
    ] {
        let (out, bytes) = export(&a, "b.tar.zst", flags);
        // `-q` silences the report too (#27).
        let report: &[u8] = match flags.contains(&"-q") {
            true => b"",
            false => &never.stdout_bytes,
        };
        assert_eq!(out.stdout_bytes, report, "{flags:?}");
        assert_eq!(out.stderr, "", "{flags:?}: a bar off a terminal");
        assert_eq!(bytes, bundle);
    }
    let (always, bytes) = export(&a, "b.tar.zst", &["--progress", "always"]);
    assert_eq!(always.stdout_bytes, never.stdout_bytes);
    assert_eq!(bytes, bundle);
    for phase in ["collecting", "writing"] {
        assert!(always.stderr.contains(phase), "{:?}", always.stderr);
    }
    assert!(
        always.stderr.contains(&format!("{ESC}[2K")),
        "bars are cleared"
    );
    assert!(!always.stdout.contains(ESC));
}

fn import_and_validate_draw_on_stderr_only(store: Backend) {
    let (a, b) = federated_pair(store);
    let bundle = a.export("full.tar.zst", &[]);
    let bundle = bundle.to_str().unwrap();
    let validate = |mode: &str| {
        b.cmd(&["--progress", mode, "feedser", "bundle", "validate", bundle])
            .ok()
    };
    let (never, always) = (validate("never"), validate("always"));
    assert_eq!(never.stderr, "");
    assert_eq!(always.stdout_bytes, never.stdout_bytes);
    assert!(always.stderr.contains("reading"), "{:?}", always.stderr);
    let dry = |mode: &str| {
        let args = [
            "--progress",
            mode,
            "feedser",
            "bundle",
            "import",
            "--dry-run",
            "--json",
            bundle,
        ];
        b.cmd(&args).ok()
    };
    let (never, always) = (dry("never"), dry("always"));
    let strip = |o: &Outcome| {
        let mut v = o.json();
        v["duration_ms"] = 0.into();
        v
    };
    assert_eq!(strip(&always), strip(&never));
    for phase in ["reading", "applying"] {
        assert!(always.stderr.contains(phase), "{:?}", always.stderr);
    }
    assert!(!always.stdout.contains(ESC));
}

fn ingest_draws_on_stderr_only(store: Backend) {
    let input = fixture("osv/pypi-2024-01-01");
    let run = |mode: &str| {
        let site = Site::on(store, "site-a");
        let args = [
            "--progress",
            mode,
            "feedser",
            "ingest",
            "osv",
            input.to_str().unwrap(),
        ];
        site.cmd(&args).ok()
    };
    let (never, always) = (run("never"), run("always"));
    assert_eq!(never.stderr, "");
    assert_eq!(always.stdout_bytes, never.stdout_bytes);
    assert!(always.stderr.contains("ingesting"), "{:?}", always.stderr);
}

crate::on_both_stores!(
    export_draws_only_when_asked,
    import_and_validate_draw_on_stderr_only,
    ingest_draws_on_stderr_only,
);

#[test]
fn an_unknown_progress_mode_is_a_usage_error() {
    let site = Site::new("site-a");
    let out = site.cmd(&["--progress", "sometimes", "feedser", "sites", "list"]);
    let out = out.code(2);
    assert!(
        out.stderr
            .starts_with("error: invalid value 'sometimes' for '--progress <WHEN>'"),
        "{}",
        out.stderr
    );
}

/// In a real terminal (tmux) with the default `--progress auto`, validating
/// a bundle that arrives slowly on stdin shows a bar while it reads, and
/// the bar is gone once the report is printed.
#[test]
fn bars_render_on_a_real_terminal() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = a.export("full.tar.zst", &[]);
    let script = a.path("slow.sh");
    let body = format!(
        "{{ head -c 1000 {0}; sleep 2; tail -c +1001 {0}; }} | {1} --home {2} feedser bundle validate -; sleep 30\n",
        bundle.display(),
        BIN,
        b.home().display()
    );
    std::fs::write(&script, body).unwrap();
    let Some(pane) = Pane::start("bars_render_on_a_real_terminal", &script, 120, 20) else {
        return;
    };
    let during = pane.wait_for("B/s");
    let after = pane.wait_for("Ready for import.");
    drop(pane);
    assert!(
        during.contains("reading"),
        "no bar while reading:\n{during}"
    );
    assert!(after.contains("Ready for import."), "{after}");
    assert!(!after.contains("B/s"), "the bar was not cleared:\n{after}");
}
