//! The row checks: each NDJSON row parsed, required in canonical form and
//! held to the rules other sites rely on, read back from a spool file
//! (`reader.rs`, the reference path) or checked as it streams by for
//! `validate` (`check.rs`, whose fast scanner `scan.rs` picks a row's fields
//! out without parsing it and hands anything in doubt to the reference
//! path).
//!
//! Invariants:
//! - One verdict: the fast path may refuse too much, never too little, and
//!   a row it refuses is decided and worded by the reference path.
//! - Memory is bounded by one row (capped) and one canonical's edges; what
//!   must span the whole bundle (duplicates, the canonicals' order) goes to
//!   scratch files.

pub(super) mod check;
pub(super) mod duplicates;
pub(super) mod identity;
mod lexer;
mod order;
mod quote;
pub(super) mod reader;
mod record;
mod rules;
pub(super) mod scan;
mod scan_history;

pub use identity::fast_merge_hash;
pub(crate) use reader::{check_canonical, check_deletion, check_edge, is_advisory_key};
pub use record::{check_canonical_row, check_outgoing, check_record};
