//! Issue #28, trust boundaries: what a local user or an operator's mistake
//! can no longer do. Each test runs the real binary and checks the exit
//! code, the message and that nothing outside its place changed.

mod after_export;
mod home;
mod journal;
mod output;
mod secrets;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

pub fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The names in `dir`, sorted; empty when it does not exist.
pub fn names(dir: &Path) -> Vec<String> {
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
