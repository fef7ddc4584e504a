//! A small fluent harness: each `Site` is a stella home in a temp directory;
//! `site.cmd(..)` runs the real binary there and returns its exact outcome.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_stella");

/// The shared real OSV snapshots, if this checkout sits beside them.
/// Without them the test skips, saying so (with its name) straight to
/// stderr, past libtest's capture, as `Backend::postgres` does.
pub fn shared_osv(name: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/osv")
        .join(name);
    if path.exists() {
        return Some(path);
    }
    let current = std::thread::current();
    let _ = writeln!(
        std::io::stderr(),
        "skipped: {}: `{}` is not present (real OSV data lives in ../shared)",
        current.name().unwrap_or("a test"),
        path.display()
    );
    None
}

/// Site A with a federation key and the 2024-01-01 sample ingested.
pub fn site_with_data(store: Backend) -> Site {
    let a = Site::on(store, "site-a");
    a.with_key();
    a.cmd(&[
        "feedser",
        "ingest",
        "osv",
        fixture("osv/pypi-2024-01-01").to_str().unwrap(),
    ])
    .ok();
    a
}

/// `site_with_data()` and a site B that trusts A's key.
pub fn federated_pair(store: Backend) -> (Site, Site) {
    let a = site_with_data(store);
    let b = Site::on(store, "site-b");
    b.trust(&a, &a.path("site-a.pub.pem"));
    (a, b)
}

/// The attributed sample shipped in `fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

pub use crate::backend::Backend;
use crate::backend::Database;

pub struct Site {
    pub id: String,
    dir: tempfile::TempDir,
    /// The site's own PostgreSQL database, when it has one.
    pub database: Option<Database>,
}

#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub stdout_bytes: Vec<u8>,
}

pub struct Run {
    command: Command,
    stdin: Option<Vec<u8>>,
}

impl Site {
    /// A fresh home on the embedded store, initialized for `id`.
    pub fn new(id: &str) -> Site {
        Site::on(Backend::Sqlite, id)
    }

    /// A fresh home for `id` on `backend`; on PostgreSQL, a new database
    /// named in the config and migrated.
    pub fn on(backend: Backend, id: &str) -> Site {
        let mut site = Site::uninitialized(id);
        match backend {
            Backend::Sqlite => {
                site.cmd(&["init", "--site-id", id]).ok();
            }
            Backend::Postgres => {
                let db = Database::create();
                site.cmd(&["--database-url", &db.url(), "init", "--site-id", id])
                    .ok();
                site.database = Some(db);
            }
        }
        site
    }

    pub fn uninitialized(id: &str) -> Site {
        Site {
            id: id.to_owned(),
            dir: tempfile::tempdir().expect("temp dir"),
            database: None,
        }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// A scratch path beside the home (bundles, key copies).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let mut command = Command::new(BIN);
        command
            .arg("--home")
            .arg(self.home())
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("STELLA_HOME")
            .env_remove("STELLA_CONFIG")
            .env_remove("STELLA_KEY_PASSPHRASE_FILE")
            .env("RUST_BACKTRACE", "0");
        Run {
            command,
            stdin: None,
        }
    }

    /// `line` through `sh -c` in the site's scratch directory, the way an
    /// operator pastes it: `stella` on `PATH`, this home as `STELLA_HOME`.
    pub fn shell(&self, line: &str) -> Run {
        let bin = self.dir.path().join("bin");
        if !bin.join("stella").exists() {
            std::fs::create_dir_all(&bin).expect("bin dir");
            std::os::unix::fs::symlink(BIN, bin.join("stella")).expect("link stella");
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![bin];
        paths.extend(std::env::split_paths(&path));
        let mut command = Command::new("sh");
        command
            .args(["-c", line])
            .current_dir(self.dir.path())
            .env("STELLA_HOME", self.home())
            .env("PATH", std::env::join_paths(paths).expect("PATH"))
            .env_remove("STELLA_CONFIG")
            .env_remove("STELLA_KEY_PASSPHRASE_FILE")
            .env("RUST_BACKTRACE", "0");
        Run {
            command,
            stdin: None,
        }
    }

    /// Runs and returns the outcome, whatever the exit code.
    pub fn cmd(&self, args: &[&str]) -> Outcome {
        self.run(args).go()
    }

    /// Generates a federation key `fed` and returns the public PEM's path.
    pub fn with_key(&self) -> PathBuf {
        self.cmd(&["authority", "keys", "generate", "--name", "fed"])
            .ok();
        self.public_key("fed", &format!("{}.pub.pem", self.id))
    }

    /// Writes the public half of key `name` to `file` in this site's
    /// directory (`authority keys export NAME --public`) and returns its path.
    pub fn public_key(&self, name: &str, file: &str) -> PathBuf {
        let pem = self
            .cmd(&["authority", "keys", "export", name, "--public"])
            .ok();
        let path = self.path(file);
        std::fs::write(&path, pem.stdout).expect("write public key");
        path
    }

    /// Trusts one more key of the registered `peer`
    /// (`feedser sites policy PEER --add-key KEY`).
    pub fn add_key(&self, peer: &str, key: &Path) -> Outcome {
        let key = key.to_str().expect("utf-8 path");
        self.cmd(&["feedser", "sites", "policy", peer, "--add-key", key])
            .ok()
    }

    /// Registers `peer` here, trusting `key`.
    pub fn trust(&self, peer: &Site, key: &Path) {
        let key = key.to_str().expect("utf-8 path");
        self.cmd(&[
            "feedser",
            "sites",
            "add",
            &peer.id,
            "--display-name",
            &peer.id,
            "--key",
            key,
        ])
        .ok();
    }

    /// `canonical list --json`: this site's canonical set, one line each.
    pub fn canonicals(&self) -> Vec<String> {
        let out = self.cmd(&["feedser", "canonical", "list", "--json"]).ok();
        out.stdout.lines().map(str::to_owned).collect()
    }

    /// One string field of every edge of this site's canonicals, sorted.
    pub fn edge_fields(&self, field: &str) -> Vec<String> {
        let mut values: Vec<String> = self
            .canonicals()
            .iter()
            .flat_map(|line| {
                let row: serde_json::Value = serde_json::from_str(line).unwrap();
                let edges = row["edges"].as_array().unwrap().clone();
                edges
                    .into_iter()
                    .map(|e| e[field].as_str().unwrap().to_owned())
            })
            .collect();
        values.sort();
        values
    }

    /// [`Self::canonicals`] without each version's causal history: the
    /// content two sites agree on when one of them settled a conflict
    /// itself (which makes a version of its own).
    pub fn contents(&self) -> Vec<String> {
        self.canonicals()
            .iter()
            .map(|line| {
                let mut row: serde_json::Value = serde_json::from_str(line).unwrap();
                if let Some(c) = row["canonical"].as_object_mut() {
                    c.remove("history");
                }
                row.to_string()
            })
            .collect()
    }

    /// Exports (full or since `cursor`) to `name` beside the home.
    pub fn export(&self, name: &str, extra: &[&str]) -> PathBuf {
        let path = self.path(name);
        let mut args = vec!["feedser", "bundle", "export", "-o", path.to_str().unwrap()];
        args.extend_from_slice(extra);
        self.cmd(&args).ok();
        path
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.cmd(args).ok();
        serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}", out.stdout))
    }
}

/// `feedser bundle export -o TARGET` at `site`, started in the background
/// with `STELLA_TEST_PAUSE_AT=STAGE` and its output piped.
pub fn spawn_export(site: &Site, target: &Path, stage: &str) -> std::process::Child {
    Command::new(BIN)
        .arg("--home")
        .arg(site.home())
        .args(["feedser", "bundle", "export", "-o"])
        .arg(target)
        .env("STELLA_TEST_PAUSE_AT", stage)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// An import of `bundle` into `site` started in the background with
/// `STELLA_TEST_PAUSE_AT=staged`; returns once it is paused, with the pause
/// file to remove to let it go on, and the process output to join.
pub fn paused_import(
    site: &Site,
    bundle: &Path,
) -> (PathBuf, std::thread::JoinHandle<std::process::Output>) {
    let (home, path) = (site.home(), bundle.to_owned());
    let import = std::thread::spawn(move || {
        Command::new(BIN)
            .arg("--home")
            .arg(home)
            .args(["feedser", "bundle", "import"])
            .arg(path)
            .env("STELLA_TEST_PAUSE_AT", "staged")
            .output()
            .unwrap()
    });
    (wait_for_pause(site), import)
}

/// The pause file of an import paused by `STELLA_TEST_PAUSE_AT`.
pub fn wait_for_pause(site: &Site) -> PathBuf {
    let staging = site.home().join("staging");
    (0..3000)
        .find_map(|_| {
            std::thread::sleep(std::time::Duration::from_millis(20));
            let mut dir = std::fs::read_dir(&staging).ok()?.flatten();
            dir.find(|e| e.path().extension().is_some_and(|x| x == "paused"))
                .map(|e| e.path())
        })
        .expect("the import pauses")
}

/// The mode (permission bits and file type) of `path`, and the one a file
/// made by `File::create` in the same directory gets: equal when stella
/// made `path` as any file is made (0666 less the umask), not private as a
/// temporary file is.
pub fn mode_and_plain(path: &Path) -> (u32, u32) {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| p.metadata().unwrap().permissions().mode();
    let plain = path.with_file_name(".plain-mode-probe");
    std::fs::File::create(&plain).unwrap();
    let modes = (mode(path), mode(&plain));
    std::fs::remove_file(&plain).unwrap();
    modes
}

/// Asserts two canonical sets are equal without printing megabytes.
#[track_caller]
pub fn assert_same(left: &[String], right: &[String], what: &str) {
    if left == right {
        return;
    }
    let first = left
        .iter()
        .zip(right)
        .position(|(l, r)| l != r)
        .unwrap_or(left.len().min(right.len()));
    let cut = |v: &[String]| {
        v.get(first)
            .map(|s| s.chars().take(400).collect::<String>())
    };
    panic!(
        "{what}: {} vs {} rows; first difference at row {first}:\n  {:?}\n  {:?}",
        left.len(),
        right.len(),
        cut(left),
        cut(right)
    );
}

impl Run {
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Run {
        self.stdin = Some(bytes.into());
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Run {
        self.command.env(key, value);
        self
    }

    pub fn go(mut self) -> Outcome {
        self.command
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.command.spawn().expect("spawn stella");
        if let Some(bytes) = self.stdin.take() {
            let mut stdin = child.stdin.take().expect("stdin");
            // The command may refuse early and close its end: not an error here.
            let _ = stdin.write_all(&bytes);
        }
        let out = child.wait_with_output().expect("wait for stella");
        Outcome {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            stdout_bytes: out.stdout,
        }
    }
}

impl Outcome {
    /// Asserts exit code 0 and returns self.
    #[track_caller]
    pub fn ok(self) -> Outcome {
        self.code(0)
    }

    #[track_caller]
    pub fn code(self, code: i32) -> Outcome {
        assert_eq!(
            self.code, code,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts the exact stderr.
    #[track_caller]
    pub fn stderr_is(self, expected: &str) -> Outcome {
        assert_eq!(self.stderr, expected);
        self
    }

    #[track_caller]
    pub fn stdout_is(self, expected: &str) -> Outcome {
        assert_eq!(self.stdout, expected);
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

/// Replaces every `sha256:<64 hex>` and RFC 3339 time in `text` with a
/// placeholder, for comparing reports whose hashes and times vary.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if text[i..].starts_with("sha256:")
            && bytes.len() >= i + 71
            && bytes[i + 7..i + 71].iter().all(u8::is_ascii_hexdigit)
        {
            out.push_str("sha256:<hash>");
            i += 71;
        } else if is_time_at(&bytes[i..]) {
            out.push_str("<time>");
            i += 24;
        } else {
            let ch = text[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

fn is_time_at(b: &[u8]) -> bool {
    b.len() >= 24
        && b[..24].iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'.',
            23 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}
