//! SIGINT and SIGTERM during an export (issue #28): the partial files go
//! with the process. A watcher thread wakes on either signal, removes every
//! registered path (the export's spool and its lock, the temporary output
//! beside `-o`) and hands over to the caller's [`OnSignal`], which ends
//! the process (the CLI: a message and exit 130 or 143). Paths are registered under the same
//! mutex the watcher holds while it removes and exits, so a file is either
//! registered before the watcher runs or never created.
//!
//! The export keeps running while the watcher works, so: a directory is
//! first renamed away and then removed (a file the export creates under
//! its old path fails instead of landing in a half-removed tree; the
//! export never recreates its spool directory), and once a signal came,
//! dropping [`Interrupts`] waits for the watcher to end the process, so
//! the failure its clean-up causes under the export is never reported in
//! place of the signal.
//!
//! A process killed outright (SIGKILL, a crash) cannot clean up: its spool
//! lock is released, so `journal gc` removes what it left and `doctor`
//! reports it (`journal::sweep`).
//!
//! Once [`Interrupts`] is dropped, SIGINT and SIGTERM have their default
//! action again (the process ends), not none. That default action stays
//! registered until the next [`Interrupts::install`], which removes it once
//! its own handlers are in place: left, it would run before them and end
//! the process with the new export's partial files still there.

use std::io::Read;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use signal_hook::SigId;
use signal_hook::consts::{SIGINT, SIGTERM};

use crate::error::{Error, Result};
use crate::exit::Exit;

/// What ends the process once the partial files are gone: the signal's
/// name and its exit code.
pub type OnSignal = fn(&'static str, Exit) -> !;

/// The default actions a dropped [`Interrupts`] left registered.
static DEFAULTS: Mutex<Vec<SigId>> = Mutex::new(Vec::new());

pub struct Interrupts {
    paths: Arc<Mutex<Vec<PathBuf>>>,
    which: Arc<AtomicUsize>,
    ids: Vec<SigId>,
}

impl Interrupts {
    /// Installs the handlers; `paths` are removed on a signal.
    pub fn install(paths: Vec<PathBuf>, on_signal: OnSignal) -> Result<Interrupts> {
        let err = |e| Error::io("cannot install a signal handler", "signal")(e);
        let paths = Arc::new(Mutex::new(paths));
        let which = Arc::new(AtomicUsize::new(0));
        let (mut wake, notify) = UnixStream::pair().map_err(err)?;
        let mut ids = Vec::new();
        for signal in [SIGINT, SIGTERM] {
            let to = signal as usize;
            ids.push(
                signal_hook::flag::register_usize(signal, Arc::clone(&which), to).map_err(err)?,
            );
            let notify = notify.try_clone().map_err(err)?;
            ids.push(signal_hook::low_level::pipe::register(signal, notify).map_err(err)?);
        }
        for id in lock(&DEFAULTS).drain(..) {
            signal_hook::low_level::unregister(id);
        }
        let held = Arc::clone(&paths);
        let seen = Arc::clone(&which);
        std::thread::spawn(move || {
            // EOF: the handlers were unregistered (the export ended).
            if wake.read(&mut [0u8]).is_ok_and(|n| n == 1) {
                clean_up_and_exit(&held, seen.load(Ordering::SeqCst), on_signal);
            }
        });
        Ok(Interrupts { paths, which, ids })
    }

    /// The registered paths; hold the guard while creating a file and
    /// pushing its path.
    pub fn paths(&self) -> MutexGuard<'_, Vec<PathBuf>> {
        lock(&self.paths)
    }

    pub fn forget(&self, path: &Path) {
        self.paths().retain(|p| p != path);
    }
}

impl Drop for Interrupts {
    /// Once a signal came (its flag is set before its wake-up byte is
    /// written), the watcher is removing files and will end the process:
    /// wait for it rather than return what its clean-up broke. Otherwise
    /// both signals get their default action back before the handlers go
    /// (unregistered alone, they would be ignored from then on: a Ctrl-C
    /// while the report prints would do nothing).
    fn drop(&mut self) {
        while self.which.load(Ordering::SeqCst) != 0 {
            std::thread::park_timeout(std::time::Duration::from_millis(100));
        }
        let mut defaults = lock(&DEFAULTS);
        for signal in [SIGINT, SIGTERM] {
            let always = Arc::new(AtomicBool::new(true));
            // An error leaves the signal ignored: nothing better to do.
            if let Ok(id) = signal_hook::flag::register_conditional_default(signal, always) {
                defaults.push(id);
            }
        }
        drop(defaults);
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn clean_up_and_exit(paths: &Mutex<Vec<PathBuf>>, signal: usize, on_signal: OnSignal) -> ! {
    let paths = lock(paths);
    for path in paths.iter() {
        let _ = crate::journal::remove_entry(&out_of_reach(path));
    }
    let (name, exit) = match signal {
        s if s == SIGTERM as usize => ("SIGTERM", Exit::Terminated),
        _ => ("SIGINT", Exit::Interrupted),
    };
    on_signal(name, exit)
}

/// A directory renamed beside itself (`<name>.removing`), so nothing the
/// export still creates under its old path lands in it while it is
/// removed; a file, or a directory that cannot be renamed, as it is.
fn out_of_reach(path: &Path) -> PathBuf {
    if !std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        return path.to_owned();
    }
    let mut away = path.as_os_str().to_owned();
    away.push(".removing");
    let away = PathBuf::from(away);
    match std::fs::rename(path, &away) {
        Ok(()) => away,
        Err(_) => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHILD: &str = "STELLA_INTERRUPTS_CHILD";

    /// In a process of its own (signals reach the whole process): an
    /// export's handlers installed and dropped, a second export's
    /// installed, SIGINT. The second export's file must go and its
    /// `on_signal` end the process, not the first one's default action.
    #[test]
    #[ignore = "run by a_second_install_cleans_up_on_a_signal in a child process"]
    fn second_install_child() {
        let Some(file) = std::env::var_os(CHILD) else {
            return;
        };
        drop(Interrupts::install(Vec::new(), |_, _| std::process::exit(41)).unwrap());
        let _second =
            Interrupts::install(vec![PathBuf::from(file)], |_, _| std::process::exit(42)).unwrap();
        signal_hook::low_level::raise(SIGINT).unwrap();
        std::thread::sleep(std::time::Duration::from_secs(10));
    }

    #[test]
    fn a_second_install_cleans_up_on_a_signal() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("partial");
        std::fs::write(&file, b"x").unwrap();
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "site::interrupts::tests::second_install_child"])
            .args(["--ignored", "--test-threads", "1", "--quiet"])
            .env(CHILD, &file)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(42), "{status:?}");
        assert!(!file.exists(), "the partial file is left");
    }
}
