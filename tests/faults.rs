//! Faults around the import: a second writer, full disks, closed pipes,
//! signals and a read-only home. Each ends with a clear message and nothing
//! half-written.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::harness::*;

/// A tiny tmpfs at `dir`, unmounted on drop; `None` (with a notice) where
/// this machine does not let the test mount one (it needs root). Its root
/// is 0700: a tmpfs is 1777 by default, and stella refuses a `staging/`
/// that others can write (issue #28).
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str, test: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).unwrap();
        let ok = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "skipped: {test}: cannot mount a tmpfs here (needs root)"
            );
            return None;
        }
        Some(Tmpfs(dir.to_owned()))
    }

    fn remount_read_only(&self) {
        let ok = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(ok.success());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn second_writer_names_the_holder() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = a.export("full.tar.zst", &[]);
    let (paused, first) = paused_import(&b, &bundle);
    let out = b
        .run(&[
            "--lock-wait",
            "0.2",
            "feedser",
            "sites",
            "add",
            "site-x",
            "--display-name",
            "X",
        ])
        .go()
        .code(10);
    assert!(
        out.stderr.starts_with(&format!(
            "error: another stella is writing to the home `{}` (pid ",
            b.home().display()
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("feedser bundle import"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .ends_with("waited 200 ms: try again when it has finished, or raise --lock-wait\n"),
        "{}",
        out.stderr
    );
    // Readers do not wait.
    b.cmd(&["feedser", "sites", "list"]).ok();
    b.cmd(&["feedser", "bundle", "validate", bundle.to_str().unwrap()])
        .ok();
    std::fs::remove_file(paused).unwrap();
    assert_eq!(first.join().unwrap().status.code(), Some(0));
    b.cmd(&["feedser", "sites", "add", "site-x", "--display-name", "X"])
        .ok();
    // A writer that has finished no longer names itself in the lock file.
    assert_eq!(std::fs::read_to_string(b.home().join("lock")).unwrap(), "");
}

fn interrupt(signal: &str, code: i32) {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = a.export("full.tar.zst", &[]);
    let child = Command::new(BIN)
        .args([
            "--home",
            b.home().to_str().unwrap(),
            "feedser",
            "bundle",
            "import",
            bundle.to_str().unwrap(),
        ])
        .env("STELLA_TEST_PAUSE_AT", "staged")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let paused = wait_for_pause(&b);
    let sent = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    std::thread::sleep(std::time::Duration::from_millis(100));
    std::fs::remove_file(paused).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "error: interrupted by SIG{signal}: the import was rolled back, nothing was committed\n"
        )
    );
    assert!(b.canonicals().is_empty());
    let journal = b.json(&["feedser", "journal", "status", "--json"]);
    assert_eq!(journal[0]["state"], "refused");
    assert_eq!(entries(&b.home().join("staging")), Vec::<String>::new());
    b.cmd(&["feedser", "bundle", "import", bundle.to_str().unwrap()])
        .ok();
    assert_eq!(b.canonicals().len(), 20);
}

#[test]
fn sigint_mid_import_rolls_back() {
    interrupt("INT", 130);
}

#[test]
fn sigterm_mid_import_rolls_back() {
    interrupt("TERM", 143);
}

#[test]
fn broken_pipe_on_export_is_clean() {
    let Some(zip) = shared_osv("PyPI-2024-10-10.zip") else {
        return;
    };
    let a = Site::new("site-a");
    a.with_key();
    a.cmd(&["feedser", "ingest", "osv", zip.to_str().unwrap()])
        .ok();
    let mut child = Command::new(BIN)
        .args([
            "--home",
            a.home().to_str().unwrap(),
            "feedser",
            "bundle",
            "export",
            "-o",
            "-",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 100];
    use std::io::Read;
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut head)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(&head[..4], &[0x28, 0xb5, 0x2f, 0xfd]);
}

#[test]
fn disk_full_export_leaves_no_file() {
    let Some(zip) = shared_osv("PyPI-2024-10-10.zip") else {
        return;
    };
    let a = Site::new("site-a");
    a.with_key();
    a.cmd(&["feedser", "ingest", "osv", zip.to_str().unwrap()])
        .ok();
    let usb = a.path("usb");
    let Some(_mount) = Tmpfs::mount(&usb, "64k", "faults::disk_full_export_leaves_no_file") else {
        return;
    };
    let target = usb.join("full.tar.zst");
    let out = a
        .cmd(&[
            "feedser",
            "bundle",
            "export",
            "-o",
            target.to_str().unwrap(),
        ])
        .code(1);
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    assert!(
        out.stderr.contains("No space left on device"),
        "{}",
        out.stderr
    );
    assert_eq!(entries(&usb), Vec::<String>::new());
}

/// Site b trusting site a, a full export of real OSV data from a, and b's
/// staging directory on a 64 KiB tmpfs; `None` (with a notice) where the
/// shared fixtures or the mount are not available.
/// Site a comes back too: the bundle lives in its home.
fn full_staging(test: &str) -> Option<([Site; 2], PathBuf, PathBuf, Tmpfs)> {
    let zip = shared_osv("PyPI-2024-10-10.zip")?;
    let (a, b) = (Site::new("site-a"), Site::new("site-b"));
    b.trust(&a, &a.with_key());
    a.cmd(&["feedser", "ingest", "osv", zip.to_str().unwrap()])
        .ok();
    let bundle = a.export("full.tar.zst", &[]);
    let staging = b.home().join("staging");
    let mount = Tmpfs::mount(&staging, "64k", test)?;
    Some(([a, b], bundle, staging, mount))
}

#[test]
fn disk_full_staging_applies_nothing() {
    let Some(([_a, b], bundle, staging, _mount)) =
        full_staging("faults::disk_full_staging_applies_nothing")
    else {
        return;
    };
    // The free-space check before staging would refuse this up front
    // (`limits::`); faking plenty of room lets the disk fill mid-staging.
    let out = b
        .run(&["feedser", "bundle", "import", bundle.to_str().unwrap()])
        .env("STELLA_TEST_FREE_BYTES", "1000000000000")
        .go()
        .code(1);
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    assert!(
        out.stderr.contains("No space left on device"),
        "{}",
        out.stderr
    );
    assert!(b.canonicals().is_empty());
    assert_eq!(entries(&staging), Vec::<String>::new());
    let journal = b.json(&["feedser", "journal", "status", "--json"]);
    assert_eq!(journal[0]["state"], "refused");
    assert_eq!(journal.as_array().unwrap().len(), 1);
}

#[test]
fn read_only_home_is_a_clear_error() {
    let site = Site::uninitialized("site-a");
    let root = site.path("ro");
    let Some(mount) = Tmpfs::mount(&root, "8m", "faults::read_only_home_is_a_clear_error") else {
        return;
    };
    let home = root.join("home");
    let run = |args: &[&str]| {
        Command::new(BIN)
            .arg("--home")
            .arg(&home)
            .args(args)
            .output()
            .unwrap()
    };
    assert_eq!(run(&["init", "--site-id", "site-a"]).status.code(), Some(0));
    mount.remount_read_only();
    for args in [
        &["feedser", "sites", "add", "x", "--display-name", "X"][..],
        &["feedser", "sites", "list"][..],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with(&format!(
                "error: the home `{}` is not writable (Read-only file system",
                home.display()
            )),
            "{stderr}"
        );
        assert!(
            stderr.ends_with("make it writable or pass another --home\n"),
            "{stderr}"
        );
    }
}

/// A full scratch disk is this side's failure: validate says the rows were
/// not checked, never that the bundle is invalid, and leaves nothing behind.
#[test]
fn disk_full_staging_is_no_verdict_on_the_bundle() {
    let Some(([_a, b], bundle, staging, _mount)) =
        full_staging("faults::disk_full_staging_is_no_verdict_on_the_bundle")
    else {
        return;
    };
    let out = b
        .cmd(&["feedser", "bundle", "validate", bundle.to_str().unwrap()])
        .code(1);
    let format = out
        .stdout
        .lines()
        .find(|l| l.starts_with("  Format: "))
        .unwrap_or_default();
    assert!(
        format.starts_with("  Format: – Not checked (cannot use spool file `")
            && format.ends_with("No space left on device (os error 28))"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("  Hash: – Not checked (not reached)\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("Not ready for import:\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .starts_with("error: bundle would not import: cannot use spool file `"),
        "{}",
        out.stderr
    );
    assert_eq!(entries(&staging), Vec::<String>::new());
}
