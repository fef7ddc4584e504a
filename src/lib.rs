//! stella: offline-first federation of canonical vulnerability advisories.

pub mod bundle;
pub mod cursor;
pub mod keys;
pub mod model;
pub mod store;

pub fn run() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
