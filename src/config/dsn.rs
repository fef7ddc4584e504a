//! Keeping database passwords out of what stella stores or shows (issue
//! #28): the lock file's command line, the "another stella is writing"
//! error, the doctor's findings.
//!
//! [`redact`] masks every password it recognises in a piece of text: the
//! userinfo of a URL (`postgresql://user:SECRET@host`) and a `password=`
//! pair, in a key/value DSN (`password=SECRET`, `password='S E'`) or a URL
//! query (`?password=SECRET`). Everything else is kept, so the text still
//! says which host and user were meant.

/// Where a database password belongs instead of a file others may read.
pub const PASSWORD_ADVICE: &str = "give the connection string in STELLA_DATABASE_URL (from a secret store), or the password in a .pgpass file (PGPASSFILE, default ~/.pgpass, mode 0600)";

/// What a password is replaced with.
pub const MASK: &str = "********";

/// `text` with every recognised password replaced by [`MASK`].
pub fn redact(text: &str) -> String {
    redact_pairs(&redact_userinfo(text))
}

/// Whether `dsn` carries a password (in any form [`redact`] recognises).
pub fn has_password(dsn: &str) -> bool {
    redact(dsn) != dsn
}

/// `scheme://user:SECRET@host` → `scheme://user:********@host`.
fn redact_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => match authority[..at].find(':') {
                Some(colon) => {
                    out.push_str(&authority[..=colon]);
                    out.push_str(MASK);
                    out.push_str(&authority[at..]);
                }
                None => out.push_str(authority),
            },
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// `password=SECRET` (after the start, a space, `?` or `&`) → `password=********`.
fn redact_pairs(text: &str) -> String {
    const KEY: &str = "password=";
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    let mut search = 0;
    while let Some(found) = lower[search..].find(KEY) {
        let start = search + found;
        let value = start + KEY.len();
        let boundary = text[..start]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || matches!(c, '?' | '&' | '\'' | '"'));
        if !boundary {
            search = value;
            continue;
        }
        let end = value_end(text, value);
        out.push_str(&text[from..value]);
        if end > value {
            out.push_str(MASK);
        }
        from = end;
        search = end;
    }
    out.push_str(&text[from..]);
    out
}

/// Where the value starting at `start` ends: its closing quote, else the
/// next space or `&`.
fn value_end(text: &str, start: usize) -> usize {
    let value = &text[start..];
    if let Some(quoted) = value.strip_prefix('\'') {
        let mut escaped = false;
        for (i, c) in quoted.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '\'' if !escaped => return start + 1 + i + 1,
                _ => escaped = false,
            }
        }
        return text.len();
    }
    start
        + value
            .find(|c: char| c.is_whitespace() || c == '&')
            .unwrap_or(value.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked_in_every_form() {
        let cases = [
            (
                "stella --database-url postgresql://alice:s3cr%40t@db:5432/x init",
                "stella --database-url postgresql://alice:********@db:5432/x init",
            ),
            (
                "--database-url=postgres://u:p:q@h/db?sslmode=disable",
                "--database-url=postgres://u:********@h/db?sslmode=disable",
            ),
            (
                "postgresql://h/db?user=u&password=pw&sslmode=require",
                "postgresql://h/db?user=u&password=********&sslmode=require",
            ),
            (
                "host=db user=u password=pw dbname=x",
                "host=db user=u password=******** dbname=x",
            ),
            (
                "host=db PASSWORD='a b\\' c' dbname=x",
                "host=db PASSWORD=******** dbname=x",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(redact(input), want, "{input}");
            assert!(has_password(input), "{input}");
        }
    }

    #[test]
    fn text_without_a_password_is_kept() {
        for text in [
            "postgresql://postgres@127.0.0.1:5432/test",
            "host=db user=u dbname=x",
            "stella feedser bundle import x.tar.zst",
            "user=u nopassword=1 password=",
            "https://example.org/a:b@c",
        ] {
            assert_eq!(redact(text), text);
            assert!(!has_password(text), "{text}");
        }
    }
}
