//! Query strings: `a=1&b=x%23y`, percent-decoded, `+` as a space.

use super::ApiError;

/// The pairs of a query string, decoded; a malformed escape is an error.
pub fn parse(query: &str) -> Result<Vec<(String, String)>, ApiError> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}

pub fn decode(text: &str) -> Result<String, ApiError> {
    let bad = || ApiError::BadRequest(format!("malformed percent-escape in `{text}`"));
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = text.get(i + 1..i + 3).ok_or_else(bad)?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| bad())
}

/// A boolean parameter: `true`/`1`/empty (present) or `false`/`0`.
pub fn boolean(name: &str, value: &str) -> Result<bool, ApiError> {
    match value {
        "" | "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ApiError::BadRequest(format!(
            "`{name}` must be true or false, not `{value}`"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_decode() {
        let pairs = parse("since=2025-01-15T10%3A30%3A00.000Z%230042&dry_run&x=a+b").unwrap();
        assert_eq!(
            pairs,
            vec![
                ("since".into(), "2025-01-15T10:30:00.000Z#0042".into()),
                ("dry_run".into(), String::new()),
                ("x".into(), "a b".into()),
            ]
        );
        assert!(parse("a=%zz").is_err());
        assert!(parse("a=%4").is_err());
        assert!(boolean("dry_run", "yes").is_err());
    }
}
