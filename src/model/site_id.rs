//! Site identifiers.
//!
//! A site id names a federation peer in configs, bundles, ledgers and file
//! names, so it is restricted to a safe, printable alphabet.

pub const SITE_ID_RULE: &str =
    "1 to 64 characters: letters, digits, `.`, `_` and `-`, starting with a letter or digit";

pub fn is_valid_site_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_seed_style_ids_and_refuses_unsafe_ones() {
        assert!(is_valid_site_id("site-us-west-1"));
        assert!(is_valid_site_id("HQ.main_2"));
        for bad in ["", "-site", ".", "a/b", "../x", "a b", "é", &"x".repeat(65)] {
            assert!(!is_valid_site_id(bad), "{bad}");
        }
    }
}
