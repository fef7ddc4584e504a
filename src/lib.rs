//! stella: offline-first federation of canonical vulnerability advisories.

pub mod cursor;
pub mod ingest;
pub mod model;
pub mod osv;
pub mod store;

pub fn run() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
