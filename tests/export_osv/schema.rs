//! Records against the OSV JSON schema as published: `fixtures/osv-schema/
//! schema.json`, vendored unmodified (see its README), checked by a JSON
//! Schema validator with formats on (`date-time` as well as the patterns).

use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;

use crate::harness::fixture;

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let text = std::fs::read(fixture("osv-schema/schema.json")).unwrap();
        let schema: Value = serde_json::from_slice(&text).unwrap();
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap()
    })
}

/// Every violation of `record`, or `Ok`.
pub fn validate(record: &Value) -> Result<(), String> {
    validate_but(record, &[])
}

/// [`validate`], except that an `id` in one of `unlisted` databases is not
/// refused for its prefix: the schema lists the home databases osv.dev
/// knows, and an advisory of a source it does not (the synthetic site's
/// `NVD-` ids) keeps its id through the export.
fn validate_but(record: &Value, unlisted: &[&str]) -> Result<(), String> {
    let id = record["id"].as_str().unwrap_or_default();
    let unlisted = unlisted.iter().any(|p| id.starts_with(&format!("{p}-")));
    let errors: Vec<String> = validator()
        .iter_errors(record)
        .filter(|e| !(unlisted && e.instance_path().as_str() == "/id"))
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    match errors.is_empty() {
        true => Ok(()),
        false => Err(errors.join("; ")),
    }
}

/// Validates every entry of an exported zip; returns how many there are.
pub fn validate_zip(zip: &Path) -> usize {
    validate_zip_but(zip, &[])
}

/// [`validate_zip`] with ids of the `unlisted` databases let through.
pub fn validate_zip_but(zip: &Path, unlisted: &[&str]) -> usize {
    let records = super::entries(zip);
    for (name, bytes) in &records {
        let record: Value = serde_json::from_slice(bytes).unwrap();
        let valid = validate_but(&record, unlisted);
        assert_eq!(valid, Ok(()), "{name} in {}", zip.display());
    }
    records.len()
}

#[test]
fn the_schema_refuses_a_broken_record() {
    let ok = serde_json::json!({"schema_version": "1.6.0", "id": "PYSEC-2024-1",
        "modified": "2024-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "a"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1"}]}]}]});
    assert_eq!(validate(&ok), Ok(()));
    type Breaks = fn(&mut Value);
    let broken: [(&str, Breaks); 8] = [
        ("no id", |r| drop(r.as_object_mut().unwrap().remove("id"))),
        ("an id of no known database", |r| r["id"] = "XYZ-1".into()),
        ("a date no one wrote", |r| {
            r["modified"] = "yesterday".into()
        }),
        ("a CVSS that is not", |r| {
            r["severity"] = serde_json::json!([{"type": "CVSS_V9", "score": "x"}])
        }),
        ("a package without ecosystem", |r| {
            drop(
                r["affected"][0]["package"]
                    .as_object_mut()
                    .unwrap()
                    .remove("ecosystem"),
            )
        }),
        ("a GIT range without repo", |r| {
            r["affected"][0]["ranges"][0]["type"] = "GIT".into()
        }),
        ("a range without introduced", |r| {
            r["affected"][0]["ranges"][0]["events"] = serde_json::json!([{"fixed": "1"}])
        }),
        ("a field the schema does not know", |r| {
            r["extra"] = 1.into()
        }),
    ];
    let nvd = serde_json::json!({"id": "NVD-2024-1", "modified": "2024-01-01T00:00:00Z"});
    assert!(validate(&nvd).is_err());
    assert_eq!(validate_but(&nvd, &["NVD"]), Ok(()));
    for (why, break_it) in broken {
        let mut record = ok.clone();
        break_it(&mut record);
        assert!(validate(&record).is_err(), "{why}: {record}");
    }
}
