//! The OSV JSON schema's constraints, checked by hand.
//!
//! The schema file (ossf/osv-schema `validation/schema.json`) could not be
//! fetched into this offline build, so this encodes what it requires, field
//! by field: `id` and `modified` are required strings; dates are RFC 3339;
//! `aliases` are strings; `severity` entries have a `type` of CVSS_V2,
//! CVSS_V3 or CVSS_V4 and a string `score`; every `affected` package has
//! string `ecosystem` and `name` (and `purl` when present); a range has a
//! `type` of GIT, SEMVER or ECOSYSTEM, a `repo` when it is GIT, and at least
//! one event, each a one-key object `introduced`, `fixed`, `last_affected`
//! or `limit` with a string value, one of them `introduced`, never both
//! `fixed` and `last_affected`; references have a `type` from the schema's
//! list and a URI `url`; `database_specific` is an object. No other
//! top-level field is written by stella, so any other is an error too.

use serde_json::Value;

const TOP: [&str; 13] = [
    "schema_version",
    "id",
    "modified",
    "published",
    "withdrawn",
    "aliases",
    "summary",
    "details",
    "severity",
    "affected",
    "references",
    "database_specific",
    "related",
];
const REFERENCE_TYPES: [&str; 10] = [
    "ADVISORY",
    "ARTICLE",
    "DETECTION",
    "REPORT",
    "FIX",
    "INTRODUCED",
    "GIT",
    "PACKAGE",
    "EVIDENCE",
    "WEB",
];

/// The first violation in `record`, or `Ok`.
pub fn validate(record: &Value) -> Result<(), String> {
    let obj = record.as_object().ok_or("not an object")?;
    if let Some(key) = obj.keys().find(|k| !TOP.contains(&k.as_str())) {
        return Err(format!("unknown field `{key}`"));
    }
    string(record, "id")?
        .filter(|s| !s.is_empty())
        .ok_or("no `id`")?;
    date(record, "modified")?.ok_or("no `modified`")?;
    date(record, "published")?;
    date(record, "withdrawn")?;
    string(record, "summary")?;
    string(record, "details")?;
    string(record, "schema_version")?;
    for alias in array(record, "aliases")? {
        alias.as_str().ok_or("an alias is not a string")?;
    }
    for severity in array(record, "severity")? {
        let kind = string(severity, "type")?.ok_or("severity without `type`")?;
        if !["CVSS_V2", "CVSS_V3", "CVSS_V4"].contains(&kind) {
            return Err(format!("severity type `{kind}`"));
        }
        string(severity, "score")?.ok_or("severity without `score`")?;
    }
    for affected in array(record, "affected")? {
        validate_affected(affected)?;
    }
    for reference in array(record, "references")? {
        let kind = string(reference, "type")?.ok_or("reference without `type`")?;
        if !REFERENCE_TYPES.contains(&kind) {
            return Err(format!("reference type `{kind}`"));
        }
        let url = string(reference, "url")?.ok_or("reference without `url`")?;
        if !url.contains("://") || url.contains(char::is_whitespace) {
            return Err(format!("reference url `{url}` is no URI"));
        }
    }
    if let Some(db) = record.get("database_specific") {
        db.as_object()
            .ok_or("`database_specific` is not an object")?;
    }
    Ok(())
}

fn validate_affected(affected: &Value) -> Result<(), String> {
    let package = affected
        .get("package")
        .ok_or("affected without `package`")?;
    string(package, "ecosystem")?.ok_or("package without `ecosystem`")?;
    string(package, "name")?.ok_or("package without `name`")?;
    string(package, "purl")?;
    for range in array(affected, "ranges")? {
        let kind = string(range, "type")?.ok_or("range without `type`")?;
        if !["GIT", "SEMVER", "ECOSYSTEM"].contains(&kind) {
            return Err(format!("range type `{kind}`"));
        }
        let repo = string(range, "repo")?;
        if kind == "GIT" && repo.is_none() {
            return Err("GIT range without `repo`".into());
        }
        let events = array(range, "events")?;
        let mut kinds = Vec::new();
        for event in events {
            let obj = event.as_object().ok_or("event is not an object")?;
            let [(key, value)] = obj.iter().collect::<Vec<_>>()[..] else {
                return Err("event is not a one-key object".into());
            };
            if !["introduced", "fixed", "last_affected", "limit"].contains(&key.as_str()) {
                return Err(format!("event `{key}`"));
            }
            value.as_str().ok_or("event value is not a string")?;
            kinds.push(key.as_str());
        }
        if !kinds.contains(&"introduced") {
            return Err("range without an `introduced` event".into());
        }
        if kinds.contains(&"fixed") && kinds.contains(&"last_affected") {
            return Err("range with both `fixed` and `last_affected`".into());
        }
    }
    Ok(())
}

fn string<'a>(value: &'a Value, key: &str) -> Result<Option<&'a str>, String> {
    match value.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!("`{key}` is not a string: {other}")),
    }
}

fn date<'a>(value: &'a Value, key: &str) -> Result<Option<&'a str>, String> {
    let text = string(value, key)?;
    if let Some(text) = text
        && text.parse::<jiff::Timestamp>().is_err()
    {
        return Err(format!("`{key}` is not an RFC 3339 date: {text}"));
    }
    Ok(text)
}

fn array<'a>(value: &'a Value, key: &str) -> Result<&'a [Value], String> {
    match value.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(format!("`{key}` is not an array: {other}")),
    }
}

#[test]
fn the_checker_refuses_what_the_schema_refuses() {
    let ok = serde_json::json!({"id": "X-1", "modified": "2024-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "a"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1"}]}]}]});
    assert_eq!(validate(&ok), Ok(()));
    let broken = [
        (r#"{"modified":"2024-01-01T00:00:00Z"}"#, "no `id`"),
        (
            r#"{"id":"X","modified":"yesterday"}"#,
            "`modified` is not an RFC 3339 date: yesterday",
        ),
        (
            r#"{"id":"X","modified":"2024-01-01T00:00:00Z","severity":[{"type":"CVSS_V9","score":"x"}]}"#,
            "severity type `CVSS_V9`",
        ),
        (
            r#"{"id":"X","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"name":"a"}}]}"#,
            "package without `ecosystem`",
        ),
        (
            r#"{"id":"X","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Go","name":"a"},"ranges":[{"type":"GIT","events":[{"introduced":"0"}]}]}]}"#,
            "GIT range without `repo`",
        ),
        (
            r#"{"id":"X","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Go","name":"a"},"ranges":[{"type":"SEMVER","events":[{"fixed":"1"}]}]}]}"#,
            "range without an `introduced` event",
        ),
        (
            r#"{"id":"X","modified":"2024-01-01T00:00:00Z","references":[{"type":"FIX","url":"not a url"}]}"#,
            "reference url `not a url` is no URI",
        ),
        (
            r#"{"id":"X","modified":"2024-01-01T00:00:00Z","extra":1}"#,
            "unknown field `extra`",
        ),
    ];
    for (json, why) in broken {
        let value: Value = serde_json::from_str(json).unwrap();
        assert_eq!(validate(&value), Err(why.to_owned()), "{json}");
    }
}
