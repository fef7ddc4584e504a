//! `feedser quarantine list|show|purge`: the bundles `bundle import`
//! refused for failing verification (see `crate::quarantine`).

pub mod list;
pub mod purge;
pub mod show;

/// `1234` → `1234 bytes`, with the kept part when truncated.
pub fn size_text(entry: &crate::quarantine::Entry) -> String {
    let r = &entry.record;
    if r.truncated {
        format!("{} bytes (first part kept)", r.size)
    } else {
        format!("{} bytes", r.size)
    }
}
