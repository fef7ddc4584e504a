//! Counts as people read them: `1,234` (the document's `Total: 4,702`)
//! and `1 canonical` / `2 canonicals` (never "1 canonicals").
//!
//! Invariant: every count a text report writes before a noun goes through
//! [`count`] (which lives in `crate::units`, so the core's messages use it
//! too); labels with a fixed noun (`Canonicals: 1`) stay as they are.

/// `n` with a comma every three digits: `4702` → `4,702`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

pub use crate::units::{count, plural};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        let cases = [
            (0, "0"),
            (12, "12"),
            (999, "999"),
            (1_000, "1,000"),
            (4_702, "4,702"),
            (123_456, "123,456"),
            (1_234_567, "1,234,567"),
        ];
        for (n, text) in cases {
            assert_eq!(thousands(n), text);
        }
    }

    #[test]
    fn counts_agree_with_their_number() {
        assert_eq!(count(1, "canonical"), "1 canonical");
        assert_eq!(count(0, "canonical"), "0 canonicals");
        assert_eq!(count(2, "deletion"), "2 deletions");
        assert_eq!(count(1, "entry"), "1 entry");
        assert_eq!(count(3, "entry"), "3 entries");
        assert_eq!(count(2, "day"), "2 days");
        assert_eq!(count(1, "byte"), "1 byte");
    }
}
