use std::io::Read;

use super::*;

fn refusal(at: &str) -> Refusal {
    Refusal {
        reason_code: "member_sha256_mismatch".into(),
        message: "bad".into(),
        verification_log: vec!["size: 3 bytes, within FederationImport.MaxBundleSizeBytes".into()],
        source: "stdin".into(),
        received_at: at.into(),
    }
}

#[test]
fn a_capture_keeps_what_was_read_up_to_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let q = Quarantine::new(dir.path().join("quarantine"));
    let (mut reader, capture) = q.tee(Box::new(&b"abcdef"[..]), 4).unwrap();
    let mut first = [0u8; 5];
    reader.read_exact(&mut first).unwrap();
    drop(reader);
    let entry = q
        .keep_capture(capture, refusal("2025-01-15T10:30:00.123Z"))
        .unwrap();
    // sha256("abcd") = 88d4266f…
    assert_eq!(entry.id, "20250115T103000123Z-88d4266fd4e6338d");
    assert_eq!(std::fs::read(&entry.bundle).unwrap(), b"abcd");
    assert_eq!((entry.record.size, entry.record.truncated), (5, true));
    assert_eq!(q.list().unwrap(), vec![entry.clone()]);
    assert_eq!(q.show(&entry.id).unwrap(), entry);
    // Only the entry is left: the capture file was moved, not copied.
    assert_eq!(std::fs::read_dir(q.root()).unwrap().count(), 1);
}

#[test]
fn a_dropped_capture_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let q = Quarantine::new(dir.path().join("q"));
    let (mut reader, capture) = q.tee(Box::new(&b"abc"[..]), 10).unwrap();
    std::io::copy(&mut reader, &mut std::io::sink()).unwrap();
    drop((reader, capture));
    assert_eq!(std::fs::read_dir(q.root()).unwrap().count(), 0);
}

#[test]
fn ids_cannot_leave_the_quarantine() {
    let dir = tempfile::tempdir().unwrap();
    let q = Quarantine::new(dir.path().to_owned());
    for id in ["..", "../x", ".incoming-1", "a/b", ""] {
        assert!(!is_valid_id(id), "{id}");
        assert!(matches!(q.show(id), Err(QuarantineError::NotFound { .. })));
    }
    let err = q.remove(&["nope".to_owned()]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "quarantined bundle `nope` not found: see `stella feedser quarantine list` for the ids"
    );
}

#[test]
fn purge_by_age_keeps_newer_entries() {
    let dir = tempfile::tempdir().unwrap();
    let q = Quarantine::new(dir.path().join("q"));
    let file = dir.path().join("b");
    std::fs::write(&file, b"xyz").unwrap();
    let old = q
        .keep_file(&file, 100, refusal("2025-01-01T00:00:00.000Z"))
        .unwrap();
    let new = q
        .keep_file(&file, 100, refusal("2025-01-10T00:00:00.000Z"))
        .unwrap();
    assert!(!old.record.truncated);
    let cutoff = "2025-01-05T00:00:00.000Z"
        .parse::<jiff::Timestamp>()
        .unwrap();
    assert_eq!(q.remove_older_than(cutoff.as_millisecond()).unwrap(), 1);
    assert_eq!(q.list().unwrap(), vec![new]);
    assert_eq!(q.remove_all().unwrap(), 1);
    assert_eq!(q.list().unwrap(), vec![]);
}

/// `reason.json` written before the JSON vocabulary (#27) still reads.
#[test]
fn a_reason_file_with_the_old_names_still_reads() {
    let old = r#"{"reason_code":"truncated","message":"cut","verification_log":[],"source":"stdin","size":3,"truncated":true,"received_at":"2025-01-15T10:30:00.000Z"}"#;
    let record: entry::Record = serde_json::from_str(old).unwrap();
    assert_eq!(
        (record.reason_code.as_str(), record.message.as_str()),
        ("truncated", "cut")
    );
    let new = serde_json::to_value(&record).unwrap();
    assert_eq!(new["reason"], "truncated");
    assert_eq!(new["received_from"], "stdin");
}
