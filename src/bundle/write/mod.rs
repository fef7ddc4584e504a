//! Writing a bundle: rows go into one member writer per NDJSON member
//! (`member_writer.rs`, compressing each into its body frame as it comes),
//! then [`write_bundle`] writes the manifest, the envelope and the frames
//! in archive order (`bundle.rs`) as [`WriteOptions`] say.
//!
//! Invariant: the output is a pure function of the header, the rows, the
//! key, the level and the version.

mod bundle;
mod member_writer;
mod options;

#[cfg(test)]
mod tests;

pub use bundle::{ExportHeader, Written, write_bundle};
pub use member_writer::{NdjsonSpool, SpooledMember};
pub use options::WriteOptions;
