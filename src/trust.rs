//! What stella trusts in its home (issue #28); what lets a bundle be read
//! without its signature is in `bundle/read/skip.rs` (re-exported here: the
//! bundle reader spends the skip, so it lives below this layer).
//!
//! stella often runs as root (cron, a service), so a home that another user
//! can write would let that user plant `lock`, `audit.log`, `staging/` and
//! the like as symbolic links and have root truncate or delete files
//! elsewhere. Invariants:
//! - A home, or an entry of it that stella uses ([`HOME_ENTRIES`]), is
//!   trusted only when it is owned by this user or by root and has no group
//!   or other write bit; any other is refused with [`Untrusted`], never
//!   "fixed" (`chmod`, `chown`) behind the operator's back.
//! - No entry of the home is a symbolic link; files stella writes in the
//!   home are opened with `O_NOFOLLOW` ([`no_follow`]) and directories are
//!   checked after they are created ([`ensure_dir`]), so nothing stella
//!   writes there lands outside it.
//! - The home directory itself may be reached through a symbolic link (a
//!   home moved to another disk); it is the target that is checked.

use std::fs::{Metadata, OpenOptions};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The entries of a home that stella reads or writes.
pub const HOME_ENTRIES: &[&str] = &[
    crate::config::CONFIG_FILE_NAME,
    "lock",
    "stella.db",
    "stella.db-wal",
    "stella.db-shm",
    "stella.db-journal",
    "journal.db",
    "journal.db-wal",
    "journal.db-shm",
    "journal.db-journal",
    "keys",
    "staging",
    "spool",
    "quarantine",
    "audit.log",
    "audit.head",
    "audit.head.tmp",
    // `feedser serve`'s site tokens (their digests), see `serve::SiteTokens`.
    "site-tokens.json",
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A symbolic link where stella expects its own file or directory.
    Symlink,
    /// Owned by someone other than this user and root.
    Owner { uid: u32, me: u32 },
    /// Group or other write bits.
    Writable { mode: u32 },
    /// Not a directory where stella needs one.
    NotDirectory,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct Untrusted {
    pub path: PathBuf,
    pub problem: Problem,
}

impl Untrusted {
    fn message(&self) -> String {
        let path = self.path.display();
        let why = match &self.problem {
            Problem::Symlink => format!(
                "it is a symbolic link, and stella follows none in its home (another user could make it write elsewhere): remove the link `{path}`"
            ),
            Problem::Owner { uid, me } => format!(
                "it is owned by uid {uid}, not by this user (uid {me}) or root, who could plant links in it: run stella as its owner, or `chown` it"
            ),
            Problem::Writable { mode } => {
                format!("others can write to it (mode {mode:04o}): run `chmod go-w {path}`")
            }
            Problem::NotDirectory => "it is not a directory: remove it".to_owned(),
        };
        format!("refusing to use `{path}`: {why}")
    }
}

/// The effective user id of this process.
pub fn me() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// Owned by this user or root, and not writable by group or others.
pub fn check(path: &Path, meta: &Metadata) -> Result<(), Untrusted> {
    let bad = |problem| {
        Err(Untrusted {
            path: path.to_owned(),
            problem,
        })
    };
    if meta.file_type().is_symlink() {
        return bad(Problem::Symlink);
    }
    let (uid, me) = (meta.uid(), me());
    if uid != me && uid != 0 {
        return bad(Problem::Owner { uid, me });
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o022 != 0 {
        return bad(Problem::Writable { mode });
    }
    Ok(())
}

/// The home directory (followed, if it is a link) and every entry of it in
/// [`HOME_ENTRIES`] that exists (not followed). A missing home passes: the
/// caller says it is not initialized.
pub fn check_home(root: &Path) -> Result<(), Untrusted> {
    let Ok(meta) = std::fs::metadata(root) else {
        return Ok(());
    };
    check(root, &meta)?;
    for name in HOME_ENTRIES {
        let path = root.join(name);
        if let Ok(meta) = std::fs::symlink_metadata(&path) {
            check(&path, &meta)?;
        }
    }
    Ok(())
}

/// Creates `dir` (0700) if it is missing, then checks that it is a real
/// directory stella can trust; the error carries an [`Untrusted`].
pub fn ensure_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => return Err(e),
        _ => {}
    }
    let meta = std::fs::symlink_metadata(dir)?;
    let untrusted = |problem| {
        std::io::Error::other(Untrusted {
            path: dir.to_owned(),
            problem,
        })
    };
    if meta.file_type().is_symlink() {
        return Err(untrusted(Problem::Symlink));
    }
    if !meta.is_dir() {
        return Err(untrusted(Problem::NotDirectory));
    }
    check(dir, &meta).map_err(std::io::Error::other)
}

/// `options` that refuse to open a symbolic link (`ELOOP`) and create files
/// only their owner can read (0600).
pub fn no_follow(options: &mut OpenOptions) -> &mut OpenOptions {
    let nofollow = i32::try_from(rustix::fs::OFlags::NOFOLLOW.bits()).unwrap_or(0);
    options.custom_flags(nofollow).mode(0o600)
}

pub use crate::bundle::{SignaturePolicy, SignatureSkip, SkipRefused};

#[cfg(test)]
mod tests;
