//! The password of the site PostgreSQL from a password file, as libpq
//! reads it (issue #28: a password belongs there, or in
//! `STELLA_DATABASE_URL`, rather than in the config or on the command line).
//!
//! When the connection string carries no password, the file named by
//! `PGPASSFILE` (default `~/.pgpass`) is searched for the first line
//! `host:port:database:user:password` whose fields match (`*` matches
//! anything; `\:` and `\\` escape), and its password is added to the
//! string. As in libpq, a file that group or others can read is ignored,
//! with a warning. The password never appears in output or errors.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use pkcs8::der::zeroize::Zeroizing;
use postgres::config::Host;

/// `dsn`, with the password from the password file when it has none.
pub fn complete(dsn: &str) -> Zeroizing<String> {
    let found = dsn
        .parse::<postgres::Config>()
        .ok()
        .filter(|c| c.get_password().is_none())
        .and_then(|config| lookup(&config));
    Zeroizing::new(match found {
        Some(password) => with_password(dsn, &password),
        None => dsn.to_owned(),
    })
}

fn file() -> Option<PathBuf> {
    match std::env::var_os("PGPASSFILE").filter(|v| !v.is_empty()) {
        Some(path) => Some(PathBuf::from(path)),
        None => std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pgpass")),
    }
}

fn lookup(config: &postgres::Config) -> Option<Zeroizing<String>> {
    let path = file()?;
    let meta = std::fs::metadata(&path).ok()?;
    let mode = meta.permissions().mode() & 0o777;
    if !meta.is_file() || mode & 0o077 != 0 {
        log::warn!(
            "password file `{}` has group or world access ({mode:04o}), so it is ignored: run `chmod 600 {}`",
            path.display(),
            path.display()
        );
        return None;
    }
    let text = Zeroizing::new(std::fs::read_to_string(&path).ok()?);
    let user = config.get_user()?;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(name)) => name.clone(),
        _ => "localhost".to_owned(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let wanted = [
        host.as_str(),
        &port,
        config.get_dbname().unwrap_or(user),
        user,
    ];
    find(&text, wanted)
}

/// The password of the first line whose four fields match `wanted`.
fn find(text: &str, wanted: [&str; 4]) -> Option<Zeroizing<String>> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .map(fields)
        .find(|f| f.len() == 5 && (0..4).all(|i| f[i] == "*" || f[i] == wanted[i]))
        .map(|mut f| Zeroizing::new(f.swap_remove(4)))
}

/// A line's `:`-separated fields, with `\:` and `\\` unescaped.
fn fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => field.extend(chars.next()),
            ':' if fields.len() < 4 => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// Adds `password` to a URL (as a query parameter) or a key/value string.
fn with_password(dsn: &str, password: &str) -> String {
    if dsn.starts_with("postgres://") || dsn.starts_with("postgresql://") {
        let encoded: String = password
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        let sep = if dsn.contains('?') { '&' } else { '?' };
        return format!("{dsn}{sep}password={encoded}");
    }
    let quoted = password.replace('\\', "\\\\").replace('\'', "\\'");
    format!("{dsn} password='{quoted}'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_matching_line_wins_with_wildcards_and_escapes() {
        let text = "# comment\nother:5432:*:alice:no\ndb\\:1:*:*:alice:p\\:w\\\\d\n*:*:*:*:any\n";
        let got = find(text, ["db:1", "5433", "x", "alice"]).unwrap();
        assert_eq!(got.as_str(), "p:w\\d");
        assert_eq!(find(text, ["h", "1", "d", "bob"]).unwrap().as_str(), "any");
        assert!(find("h:1:d:u\n", ["h", "1", "d", "u"]).is_none());
    }

    #[test]
    fn the_password_is_added_to_either_form_and_parses_back() {
        for dsn in [
            "postgresql://alice@db:5432/x",
            "postgresql://alice@db/x?sslmode=disable",
            "host=db user=alice dbname=x",
        ] {
            let full = with_password(dsn, "p w'@:&\\");
            let config: postgres::Config = full.parse().unwrap();
            assert_eq!(config.get_password(), Some(&b"p w'@:&\\"[..]), "{full}");
            assert_eq!(config.get_user(), Some("alice"));
        }
    }
}
