//! Reading a bundle in the order trust allows: open the head (`open.rs`),
//! verify or skip the signature (the only ways to a [`VerifiedBundle`]),
//! then walk the frames (`stream.rs`, `small.rs`, `input.rs`) member by
//! member (`member.rs`), into spool files (`verified.rs`, giving a
//! [`SpooledBundle`] whose records `records.rs` joins) or into the thread
//! that checks rows as they stream (`feed.rs`, `lines.rs`, giving a
//! [`CheckedBundle`] with no rows).
//!
//! Invariants: every compressed byte is pinned before a result is returned;
//! rows are read only from a bundle whose signature verified or whose check
//! the signature policy let skip.

mod checked;
mod feed;
mod input;
mod lines;
mod member;
mod open;
mod records;
mod skip;
mod small;
mod spooled;
mod stream;
mod verified;

pub use checked::CheckedBundle;
pub use open::{UnverifiedBundle, open};
pub use skip::{SignaturePolicy, SignatureSkip, SkipRefused};
pub use spooled::SpooledBundle;
pub use verified::VerifiedBundle;
