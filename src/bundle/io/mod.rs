//! The hashing and counting adapters that stand between the bytes and the
//! stages: sha256 on a thread of its own ([`digest`]), a writer that hashes
//! and counts what it passes on and a reader that does so and caps the
//! input ([`counted`]), a view of buffered input that sees exactly what the
//! decoder consumes ([`tap`]), and a member's tally of digest, size and
//! lines with the sinks that keep it ([`tally`]).
//!
//! Invariants: a digest covers exactly the bytes passed on, in order; these
//! adapters know nothing of the format beyond its errors.

pub(super) mod counted;
pub(super) mod digest;
pub(super) mod tally;
pub(super) mod tap;
