//! The audit check: the chain of `audit.log` verifies (see `crate::audit`).
//! A broken chain fails the check, since imports refuse to append to it.

use super::{Finding, Status};
use crate::audit::{AuditError, AuditLog};

pub fn audit(log: &AuditLog) -> Finding {
    match log.verify() {
        Ok(v) => {
            let acknowledged = v
                .acknowledged
                .map(|seq| format!(" (a break was acknowledged in record {seq})"))
                .unwrap_or_default();
            let records = crate::units::count(v.records, "record");
            let detail = format!("{records}, chain intact{acknowledged}");
            Finding::new(Status::Ok, "audit", detail)
        }
        Err(AuditError::Broken { problem, .. }) => Finding::new(
            Status::Fail,
            "audit",
            format!(
                "the audit log is broken ({problem}) and imports refuse to append to it: keep `{}` for investigation, then restore a trusted copy or run `stella audit acknowledge --reason TEXT`",
                log.path().display()
            ),
        ),
        Err(e) => Finding::new(Status::Fail, "audit", e.to_string()),
    }
}
