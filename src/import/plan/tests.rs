use super::*;
use crate::model::{Canonical, Severity, SourceEdge, Status};

fn record(title: &str) -> CanonicalRecord {
    let merge_hash = format!("sha256:{}", "ab".repeat(32));
    let id = crate::model::canonical_id(&merge_hash);
    CanonicalRecord {
        canonical: Canonical {
            history: None,
            id,
            cve: "CVE-2024-0001".into(),
            affects_key: "pkg:pypi/demo".into(),
            merge_hash: merge_hash.clone(),
            status: Status::Active,
            severity: Severity::High,
            title: title.into(),
            summary: "s".into(),
            cvss_vector: None,
            version_range: vec![],
            weaknesses: vec![],
            patch_lineage: vec![],
            published: None,
            modified: None,
        },
        edges: vec![SourceEdge {
            id: crate::model::edge_id(&id, "pypa", "PYSEC-1"),
            canonical_id: id,
            merge_hash,
            source: "pypa".into(),
            source_advisory_id: "PYSEC-1".into(),
            vendor_status: "affected".into(),
            source_sha256: "sha256:00".into(),
        }],
    }
}

fn run(
    local: Option<&CanonicalRecord>,
    base: Option<&CanonicalRecord>,
    remote: &CanonicalRecord,
) -> Decision {
    let base = base.map(CanonicalRecord::digest);
    decide(local, base.as_deref(), remote, &remote.digest())
}

#[test]
fn absent_locally_is_created() {
    assert_eq!(run(None, None, &record("a")), Decision::Create);
}

#[test]
fn equal_is_skipped_whatever_the_base() {
    let a = record("a");
    assert_eq!(run(Some(&a), None, &a), Decision::Skip);
    assert_eq!(run(Some(&a), Some(&record("old")), &a), Decision::Skip);
}

#[test]
fn local_unchanged_since_last_take_is_updated() {
    let (old, new) = (record("old"), record("new"));
    assert_eq!(run(Some(&old), Some(&old), &new), Decision::Update);
}

#[test]
fn remote_unchanged_since_last_take_keeps_local() {
    let (taken, edited) = (record("taken"), record("edited here"));
    assert_eq!(run(Some(&edited), Some(&taken), &taken), Decision::Skip);
}

#[test]
fn both_changed_is_a_conflict_per_differing_field() {
    let (base, mut local, remote) = (record("base"), record("local"), record("remote"));
    local.canonical.severity = Severity::Low;
    let Decision::Conflict(fields) = run(Some(&local), Some(&base), &remote) else {
        panic!("expected a conflict");
    };
    let names: Vec<&str> = fields.iter().map(|(f, _, _)| f.as_str()).collect();
    assert_eq!(names, ["severity", "title"]);
    assert_eq!(fields[1].1, serde_json::json!("local"));
    assert_eq!(fields[1].2, serde_json::json!("remote"));
}

#[test]
fn never_taken_and_different_is_a_conflict() {
    let decision = run(Some(&record("mine")), None, &record("theirs"));
    assert!(matches!(decision, Decision::Conflict(f) if f.len() == 1 && f[0].0 == "title"));
}

#[test]
fn differing_edges_are_one_field() {
    let local = record("x");
    let mut remote = record("x");
    remote.edges[0].source_sha256 = "sha256:11".into();
    let diffs = field_diffs(&local, &remote);
    assert_eq!(diffs.len(), 1);
    assert_eq!(diffs[0].0, "edges");
    assert_eq!(diffs[0].2, serde_json::json!(["pypa:PYSEC-1:sha256:11"]));
}
