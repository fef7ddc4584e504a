//! The key check: the keys directory is private (no group or other bits;
//! a warning, as for the home: it lists the key names), and every key of the
//! home has a private file that only its owner can read (0600) and that
//! parses, a public half that parses, and an age (from its metadata's
//! `created_at`) below the rotation hint (a retired key gets none: it signs
//! no more).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::{Finding, Status};
use crate::keys::{KeyInfo, KeyStore};

/// Keys older than this get a rotation hint.
pub const ROTATE_AFTER_DAYS: i64 = 365;

pub fn keys(dir: &Path, now_ms: i64) -> Vec<Finding> {
    let store = KeyStore::new(dir.to_owned());
    let infos = match store.list() {
        Ok(infos) => infos,
        Err(e) => return vec![Finding::new(Status::Fail, "keys", e.to_string())],
    };
    let open_dir = open_dir(dir);
    if infos.is_empty() {
        let detail = "no signing key: create one with `stella authority keys generate --name NAME` before exporting";
        return open_dir
            .into_iter()
            .chain([Finding::new(Status::Warn, "keys", detail)])
            .collect();
    }
    // Unreadable roles are the export's business; here nothing is retired.
    let roles = store.roles().unwrap_or_default();
    open_dir
        .into_iter()
        .chain(infos.iter().map(|info| {
            let retired = roles.retired.contains(&info.name);
            key(dir, info, retired, now_ms)
        }))
        .collect()
}

/// A warning when the keys directory has group or other bits (an absent
/// directory is the key listing's business).
fn open_dir(dir: &Path) -> Option<Finding> {
    let mode = std::fs::metadata(dir).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        let detail = format!(
            "`{}` is {mode:04o}, its key names readable by others: run `chmod 700 {}`",
            dir.display(),
            dir.display()
        );
        Finding::new(Status::Warn, "keys", detail)
    })
}

fn key(dir: &Path, info: &KeyInfo, retired: bool, now_ms: i64) -> Finding {
    let name = &info.name;
    let private = dir.join(format!("{name}.key.pem"));
    let fail = |detail: String| Finding::new(Status::Fail, "keys", detail);
    let mode = match std::fs::metadata(&private) {
        Ok(meta) => meta.permissions().mode() & 0o777,
        Err(e) => return fail(format!("key `{name}`: `{}`: {e}", private.display())),
    };
    if mode & 0o077 != 0 {
        return fail(format!(
            "key `{name}`: `{}` is {mode:04o}, readable by others: run `chmod 600 {}` (and consider the key exposed)",
            private.display(),
            private.display()
        ));
    }
    if let Err(problem) = parses(dir, info) {
        return fail(format!("key `{name}`: {problem}"));
    }
    let age_days = age_days(&info.created_at, now_ms);
    if retired {
        return Finding::new(
            Status::Ok,
            "keys",
            format!("key `{name}` ({mode:04o}, retired: signs no more)"),
        );
    }
    if age_days.is_some_and(|d| d > ROTATE_AFTER_DAYS) {
        return Finding::new(
            Status::Warn,
            "keys",
            format!(
                "key `{name}` is {} days old: rotate it (`stella authority keys generate --name NEW`, add its public key at peers with `stella feedser sites policy ID --add-key FILE`, `stella authority keys default NEW`, then `stella authority keys retire {name}`)",
                age_days.unwrap_or(0)
            ),
        );
    }
    let age = age_days.map_or_else(
        || "age unknown".to_owned(),
        |d| {
            format!(
                "{} old",
                crate::units::count(u64::try_from(d).unwrap_or(0), "day")
            )
        },
    );
    let lock = if info.encrypted { ", encrypted" } else { "" };
    Finding::new(
        Status::Ok,
        "keys",
        format!("key `{name}` ({mode:04o}{lock}, {age})"),
    )
}

/// The public half parses; the private half parses (encrypted: its PEM label).
fn parses(dir: &Path, info: &KeyInfo) -> Result<(), String> {
    let read = |suffix: &str| {
        let path = dir.join(format!("{}{suffix}", info.name));
        std::fs::read_to_string(&path).map_err(|e| format!("`{}`: {e}", path.display()))
    };
    crate::keys::parse_public_pem(&read(".pub.pem")?).map_err(|e| e.to_string())?;
    let pem = read(".key.pem")?;
    if info.encrypted {
        return match pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            true => Ok(()),
            false => Err("the private key is not an encrypted PKCS#8 PEM".into()),
        };
    }
    crate::keys::Signer::from_pem(&pem, None, &info.name)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn age_days(created_at: &str, now_ms: i64) -> Option<i64> {
    let created: jiff::Timestamp = created_at.parse().ok()?;
    Some((now_ms - created.as_millisecond()) / 86_400_000)
}
