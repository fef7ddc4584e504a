//! The home and config checks: the home exists, is a directory that no one
//! else can write (`trust`: a failure, since every command refuses it then)
//! and is private (a warning: its file names are readable); a config that
//! holds the database password is readable only by its owner (issue #28).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::{Finding, Status};
use crate::config::FileConfig;

pub fn home(root: &Path) -> Finding {
    let meta = match std::fs::metadata(root) {
        Ok(meta) if meta.is_dir() => meta,
        Ok(_) => {
            let detail = format!(
                "`{}` is not a directory: pass another --home",
                root.display()
            );
            return Finding::new(Status::Fail, "home", detail);
        }
        Err(e) => {
            let detail = format!(
                "`{}`: {e}: run `stella init --site-id ID` or pass --home",
                root.display()
            );
            return Finding::new(Status::Fail, "home", detail);
        }
    };
    if let Err(untrusted) = crate::trust::check_home(root) {
        return Finding::new(Status::Fail, "home", untrusted.to_string());
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        let detail = format!(
            "`{}` is {mode:04o}, readable by others: run `chmod 700 {}`",
            root.display(),
            root.display()
        );
        return Finding::new(Status::Warn, "home", detail);
    }
    let detail = format!("`{}` ({mode:04o})", root.display());
    Finding::new(Status::Ok, "home", detail)
}

/// The config parsed; fails when it holds the database password and group
/// or others can read it.
pub fn config(path: &Path, config: &FileConfig) -> Finding {
    let parses = format!("`{}` parses", path.display());
    let secret = config
        .connection_strings
        .concelier
        .as_deref()
        .is_some_and(crate::config::dsn::has_password);
    if !secret {
        return Finding::new(Status::Ok, "config", parses);
    }
    let mode = match std::fs::metadata(path) {
        Ok(meta) => meta.permissions().mode() & 0o777,
        Err(e) => return Finding::new(Status::Fail, "config", format!("{parses}, but {e}")),
    };
    if mode & 0o077 != 0 {
        let detail = format!(
            "`{0}` holds the database password and others can read it ({mode:04o}): run `chmod 600 {0}`; better, remove the password from it and {1}",
            path.display(),
            crate::config::dsn::PASSWORD_ADVICE
        );
        return Finding::new(Status::Fail, "config", detail);
    }
    let detail = format!("{parses}; it holds the database password ({mode:04o})");
    Finding::new(Status::Ok, "config", detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chmod(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn a_missing_home_fails_an_open_one_warns_a_writable_one_fails() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(home(&dir.path().join("nope")).status, Status::Fail);
        chmod(dir.path(), 0o755);
        assert_eq!(home(dir.path()).status, Status::Warn);
        chmod(dir.path(), 0o777);
        let finding = home(dir.path());
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.detail.starts_with("refusing to use `"),
            "{finding:?}"
        );
        chmod(dir.path(), 0o700);
        assert_eq!(home(dir.path()).status, Status::Ok);
    }

    #[test]
    fn a_readable_config_with_a_password_fails() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("concelier.yaml");
        std::fs::write(&path, "").unwrap();
        chmod(&path, 0o644);
        let plain = FileConfig::for_new_site("a", Some("postgresql://u@db/x"));
        assert_eq!(config(&path, &plain).status, Status::Ok);
        let secret = FileConfig::for_new_site("a", Some("postgresql://u:pw@db/x"));
        let finding = config(&path, &secret);
        assert_eq!(finding.status, Status::Fail);
        assert!(
            finding.detail.contains("(0644): run `chmod 600 "),
            "{finding:?}"
        );
        assert!(!finding.detail.contains("pw@"), "{finding:?}");
        chmod(&path, 0o600);
        assert_eq!(config(&path, &secret).status, Status::Ok);
    }
}
