//! `stella audit …`: the audit trail of bundle imports (see `crate::audit`).

pub mod verify;
