//! The certificate `feedser serve --tls-cert` serves: `doctor --tls-cert
//! FILE` (or `STELLA_TLS_CERT_FILE`, the variable serve reads too) reads
//! its validity. Fails when the file cannot be read or the certificate is
//! expired or not yet valid (serve would refuse to start with it); warns
//! within [`TLS_WARN_DAYS`] of its end, so it is renewed in time.

use std::path::Path;

use super::{Finding, Status};

/// Days before a certificate's end from which the check warns.
pub const TLS_WARN_DAYS: i64 = 30;

const CHECK: &str = "tls";

pub fn tls_certificate(path: &Path, now_ms: i64) -> Finding {
    let info = match crate::serve::read_certificate(path) {
        Ok(info) => info,
        Err(e) => return Finding::new(Status::Fail, CHECK, e.to_string()),
    };
    let shown = path.display();
    let (not_before, not_after) = (info.not_before, info.not_after);
    if now_ms < not_before.as_millisecond() {
        let detail = format!("`{shown}` is not valid before {not_before}: check the clock");
        return Finding::new(Status::Fail, CHECK, detail);
    }
    let left_ms = not_after.as_millisecond() - now_ms;
    if left_ms <= 0 {
        let detail = format!(
            "`{shown}` expired at {not_after}: renew it (`feedser serve` refuses to start with it)"
        );
        return Finding::new(Status::Fail, CHECK, detail);
    }
    let days = left_ms / 86_400_000;
    if days < TLS_WARN_DAYS {
        let detail = format!(
            "`{shown}` expires at {not_after}, in {days} days: renew it and restart `feedser serve`"
        );
        return Finding::new(Status::Warn, CHECK, detail);
    }
    Finding::new(
        Status::Ok,
        CHECK,
        format!("`{shown}` valid until {not_after} ({days} days left)"),
    )
}
