//! stella: offline-first federation of canonical vulnerability advisories.

pub mod config;
pub mod cursor;
pub mod model;
pub mod site;
pub mod store;

pub fn run() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
