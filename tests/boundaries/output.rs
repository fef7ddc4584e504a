//! `bundle export` replaces no file without `--force`, and leaves nothing
//! behind when a signal stops it; what a kill leaves, `doctor` reports and
//! `journal gc` removes.

use std::path::PathBuf;
use std::process::{Child, Command};

use super::names;
use crate::harness::*;

#[test]
fn export_replaces_an_existing_file_only_with_force() {
    let a = site_with_data(Backend::Sqlite);
    let target = a.path("notes.txt");
    std::fs::write(&target, "the operator's notes\n").unwrap();
    let path = target.to_str().unwrap();
    a.cmd(&["feedser", "bundle", "export", "-o", path])
        .code(2)
        .stderr_is(&format!(
            "error: `{path}` already exists: pass --force to replace it, or choose another --output\n"
        ));
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "the operator's notes\n"
    );
    assert!(temporaries(&a).is_empty());
    a.cmd(&["feedser", "bundle", "export", "-o", path, "--force"])
        .ok();
    let bytes = std::fs::read(&target).unwrap();
    assert_eq!(&bytes[..4], &[0x28, 0xb5, 0x2f, 0xfd]);
}

/// An export to `x.tar.zst` paused once its temporary output exists.
fn paused_export(a: &Site) -> (Child, PathBuf) {
    let target = a.path("x.tar.zst");
    let mut child = spawn_export(a, &target, "exporting");
    let spool = a.home().join("spool");
    for _ in 0..1500 {
        if names(&spool)
            .iter()
            .any(|n| spool.join(n).join("paused").exists())
        {
            return (child, target);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the export never paused");
}

fn kill(child: &Child, signal: &str) {
    let sent = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// `.stella-export-*` files beside the home.
fn temporaries(a: &Site) -> Vec<String> {
    let dir = a.path("");
    let mut found = names(&dir);
    found.retain(|n| n.starts_with(".stella-export-"));
    found
}

#[test]
fn a_signal_stops_an_export_and_removes_its_files() {
    let a = site_with_data(Backend::Sqlite);
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let (child, target) = paused_export(&a);
        assert_eq!(temporaries(&a).len(), 1);
        kill(&child, signal);
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(code));
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!(
                "error: interrupted by SIG{signal}: the export was stopped and its partial files removed\n"
            )
        );
        assert!(!target.exists());
        assert_eq!(temporaries(&a), Vec::<String>::new(), "SIG{signal}");
        assert_eq!(
            names(&a.home().join("spool")),
            Vec::<String>::new(),
            "SIG{signal}"
        );
    }
}

#[test]
fn what_a_killed_export_leaves_is_reported_and_collected() {
    let a = site_with_data(Backend::Sqlite);
    let (child, _) = paused_export(&a);
    kill(&child, "KILL");
    drop(child.wait_with_output().unwrap());
    let temporary = a.path("").join(&temporaries(&a)[0]);
    let spool = a.home().join("spool");
    let left: Vec<PathBuf> = names(&spool).iter().map(|n| spool.join(n)).collect();
    assert_eq!(left.len(), 2, "the spool directory and its lock: {left:?}");
    let doctor = a.cmd(&["doctor"]).ok();
    let line = format!(
        "warn  journal  2 files left in `{}` by interrupted exports: `stella feedser journal gc` removes them",
        spool.display()
    );
    assert!(
        doctor.stdout.lines().any(|l| l == line),
        "{}",
        doctor.stdout
    );
    let gc = a.json(&["feedser", "journal", "gc", "--json"]);
    let mut removed = vec![temporary.clone()];
    removed.extend(left);
    removed.sort();
    let removed: Vec<String> = removed.iter().map(|p| p.display().to_string()).collect();
    assert_eq!(gc["spool_removed"], serde_json::json!(removed), "{gc}");
    assert!(!temporary.exists() && names(&spool).is_empty());
    let journal = a.cmd(&["doctor"]).ok();
    assert!(
        journal
            .stdout
            .contains("ok    journal  0 imports, none unfinished\n")
    );
}
