use super::*;

fn new(outcome: Outcome) -> NewRecord {
    NewRecord {
        time: "2025-01-15T10:30:00.000Z".into(),
        command: "feedser bundle import".into(),
        bundle: "a.tar.zst".into(),
        site_id: Some("site-a".into()),
        bundle_hash: None,
        outcome,
        reason_code: None,
        message: None,
    }
}

fn log(dir: &tempfile::TempDir) -> AuditLog {
    AuditLog::new(dir.path().join("audit.log"), dir.path().join("audit.head"))
}

fn problem(log: &AuditLog) -> Problem {
    match log.verify() {
        Err(AuditError::Broken { problem, .. }) => problem,
        other => panic!("expected a broken log, got {other:?}"),
    }
}

#[test]
fn records_chain_from_genesis() {
    let dir = tempfile::tempdir().unwrap();
    let log = log(&dir);
    assert_eq!(
        log.verify().unwrap(),
        Verified {
            records: 0,
            acknowledged: None
        }
    );
    let first = log.append(new(Outcome::Committed)).unwrap();
    let second = log.append(new(Outcome::Rejected)).unwrap();
    assert_eq!((first.seq, first.prev_hash.as_str()), (1, GENESIS));
    assert_eq!(second.prev_hash, first.hash.clone().unwrap());
    assert_eq!(first.hash.clone().unwrap(), first.compute_hash());
    assert_eq!(
        log.verify().unwrap(),
        Verified {
            records: 2,
            acknowledged: None
        }
    );
}

#[test]
fn a_record_written_without_its_head_is_accepted_and_followed() {
    let dir = tempfile::tempdir().unwrap();
    let log = log(&dir);
    log.append(new(Outcome::Committed)).unwrap();
    let head = std::fs::read(&log.head).unwrap();
    log.append(new(Outcome::DryRun)).unwrap();
    // As if the process died between the line and the head.
    std::fs::write(&log.head, head).unwrap();
    assert_eq!(
        log.verify().unwrap(),
        Verified {
            records: 2,
            acknowledged: None
        }
    );
    assert_eq!(log.append(new(Outcome::Rejected)).unwrap().seq, 3);
    assert_eq!(
        log.verify().unwrap(),
        Verified {
            records: 3,
            acknowledged: None
        }
    );
}

#[test]
fn a_rehashed_edit_breaks_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let log = log(&dir);
    for _ in 0..3 {
        log.append(new(Outcome::Committed)).unwrap();
    }
    let text = std::fs::read_to_string(&log.log).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut second: Record = serde_json::from_str(&lines[1]).unwrap();
    second.outcome = Outcome::Rejected;
    second.hash = Some(second.compute_hash());
    lines[1] = second.line().trim_end().to_owned();
    std::fs::write(&log.log, lines.join("\n") + "\n").unwrap();
    assert_eq!(problem(&log), Problem::Unchained { line: 3, seq: 3 });
}

#[test]
fn a_missing_head_and_garbage_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let log = log(&dir);
    log.append(new(Outcome::Committed)).unwrap();
    std::fs::remove_file(&log.head).unwrap();
    assert_eq!(problem(&log), Problem::HeadMissing { records: 1 });
    std::fs::write(&log.log, "not json\n").unwrap();
    assert!(matches!(problem(&log), Problem::Malformed { line: 1, .. }));
}

#[test]
fn appends_refuse_a_broken_chain_until_it_is_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let log = log(&dir);
    for _ in 0..3 {
        log.append(new(Outcome::Committed)).unwrap();
    }
    assert!(matches!(
        log.acknowledge("nothing wrong", "t".into()),
        Err(AuditError::NotBroken { .. })
    ));
    let text = std::fs::read_to_string(&log.log).unwrap();
    let cut: String = text.lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(&log.log, &cut).unwrap();
    assert_eq!(problem(&log), Problem::Cut { last: 2, head: 3 });
    assert!(matches!(
        log.append(new(Outcome::Committed)),
        Err(AuditError::Broken { .. })
    ));
    assert_eq!(std::fs::read_to_string(&log.log).unwrap(), cut);
    let (accepted, ack) = log.acknowledge("disk restored", "t".into()).unwrap();
    assert_eq!(accepted, Problem::Cut { last: 2, head: 3 });
    assert_eq!((ack.seq, ack.outcome), (4, Outcome::Acknowledged));
    assert_eq!(ack.reason_code.as_deref(), Some("cut"));
    assert_eq!(
        log.verify().unwrap(),
        Verified {
            records: 4,
            acknowledged: Some(4)
        }
    );
    assert_eq!(log.append(new(Outcome::Committed)).unwrap().seq, 5);
    assert_eq!(log.verify().unwrap().records, 5);
    // The acknowledged part may not change afterwards.
    let text = std::fs::read_to_string(&log.log).unwrap();
    std::fs::write(&log.log, text.replacen("committed", "rejected", 1)).unwrap();
    assert_eq!(problem(&log), Problem::Unsealed { seq: 4 });
}
