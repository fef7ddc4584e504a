//! The site's clock: the system clock, which the `test-hooks` build can pin
//! (`hooks::now_millis`) so tests can make a site whose clock runs ahead
//! or behind.
//!
//! Invariant: every time a site records (journal, ledger, audit, lock,
//! metrics) comes from here.

/// Now, as the store and reports spell times: `2025-01-15T10:30:00.000Z`.
pub fn now() -> String {
    crate::cursor::format_millis(now_millis())
}

/// Now in unix milliseconds.
pub fn now_millis() -> i64 {
    super::hooks::now_millis().unwrap_or_else(|| jiff::Timestamp::now().as_millisecond())
}
