//! The format as data, shared by writer and reader (the spec is
//! `man/stella-bundle.5`): the members and versions, the caps, the archive
//! paths, the manifest and the signature envelope, the `sha256:` tags, the
//! canonical tar layout and the zstd frame layout.
//!
//! Invariants: nothing here reads or writes a stream or depends on another
//! stage of `bundle/` (only on `error`); one definition of each encoding,
//! so the reader can rebuild what the writer makes and compare.

pub(super) mod envelope;
pub(super) mod fields;
pub(super) mod frame;
pub(super) mod limits;
pub(super) mod manifest;
pub(super) mod members;
pub(super) mod path;
pub(super) mod tag;
pub(super) mod tar;

#[cfg(test)]
mod tests;
