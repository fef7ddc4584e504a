//! Value parsers for flags: byte sizes, cursors, source lists.

use crate::cursor::Cursor;
use crate::model::ConflictStrategy;

/// `100MB`, `1.5GiB`, `4096`: K/M/G units are binary (1024), as the seed's
/// `MaxBundleSizeBytes: 104857600` (= 100MB) reads.
pub fn byte_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => {
            return Err(format!(
                "`{text}` is not a size: use bytes or KB, MB, GB (e.g. 100MB)"
            ));
        }
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size: use bytes or KB, MB, GB (e.g. 100MB)"))?;
    let bytes = value * factor as f64;
    if !(1.0..=u64::MAX as f64).contains(&bytes) {
        return Err(format!("`{text}` is out of range"));
    }
    Ok(bytes as u64)
}

/// A site id, by `model::SITE_ID_RULE`.
pub fn site_id(text: &str) -> Result<String, String> {
    if crate::model::is_valid_site_id(text) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "`{}` is not a valid site id: {}",
            text.escape_debug(),
            crate::model::SITE_ID_RULE
        ))
    }
}

/// A cursor as a person writes it: any point of a feed (`Cursor::point`).
pub fn cursor(text: &str) -> Result<Cursor, String> {
    Cursor::point(text).map_err(|e| e.to_string())
}

/// `nvd,ghsa` → sorted unique names; `*` or `all` → every source.
pub fn sources(text: &str) -> Result<Option<Vec<String>>, String> {
    let t = text.trim();
    if t == "*" || t.eq_ignore_ascii_case("all") {
        return Ok(None);
    }
    let mut names: Vec<String> = t
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .collect();
    if names.iter().any(|n| {
        n.is_empty()
            || !n
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }) {
        return Err(format!(
            "`{text}` is not a list of source names such as `nvd,ghsa` (or `all`)"
        ));
    }
    names.sort();
    names.dedup();
    Ok(Some(names))
}

/// `--on-conflict`: clap lists the names; the one parser of a name is
/// `ConflictStrategy::parse`.
pub fn on_conflict() -> impl clap::builder::TypedValueParser<Value = ConflictStrategy> {
    use clap::builder::TypedValueParser;
    let names = ConflictStrategy::ALL.map(ConflictStrategy::as_str);
    clap::builder::PossibleValuesParser::new(names)
        .try_map(|name: String| ConflictStrategy::parse(&name).ok_or("not a conflict strategy"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(byte_size("100MB"), Ok(104_857_600));
        assert_eq!(byte_size("4096"), Ok(4096));
        assert_eq!(byte_size("1.5 KiB"), Ok(1536));
        assert!(byte_size("lots").is_err());
        assert!(byte_size("0").is_err());
    }

    #[test]
    fn source_lists() {
        assert_eq!(
            sources("nvd, GHSA,nvd"),
            Ok(Some(vec!["ghsa".into(), "nvd".into()]))
        );
        assert_eq!(sources("all"), Ok(None));
        assert!(sources("a,,b").is_err());
    }
}
