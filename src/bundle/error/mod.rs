//! The errors of the bundle boundary, at the bottom of `bundle/`: every
//! stage returns [`BundleError`], which wraps the envelope's
//! [`SignatureError`] and a row's [`RowFault`].
//!
//! Invariants: nothing here depends on another part of `bundle/`; each
//! variant has one stable reason code (`codes.rs`).

mod bundle;
mod codes;
mod row;
mod signature;

#[cfg(test)]
mod tests;

pub use bundle::BundleError;
pub use row::{MAX_KEY_BYTES, RowFault};
pub use signature::{PAYLOAD_TYPE, SignatureError};
