//! `audit verify`: walk the chain, then compare its end with the head.

use serde::Serialize;

use super::append::{HeadState, follows};
use super::{AuditError, AuditLog, GENESIS, Record};

/// The first thing wrong with the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    #[error("line {line} is not an audit record ({message})")]
    Malformed { line: usize, message: String },
    #[error("record {seq} (line {line}) was edited: its hash does not match its contents")]
    Edited { line: usize, seq: u64 },
    #[error("record {expected} is missing: line {line} holds record {found}")]
    Missing {
        line: usize,
        expected: u64,
        found: u64,
    },
    #[error(
        "records are out of order: line {line} holds record {found}, expected record {expected}"
    )]
    OutOfOrder {
        line: usize,
        expected: u64,
        found: u64,
    },
    #[error(
        "record {seq} (line {line}) does not follow the record before it: its prev_hash differs from that record's hash"
    )]
    Unchained { line: usize, seq: u64 },
    #[error("the log was cut: it ends at record {last} but `audit.head` says record {head}")]
    Cut { last: u64, head: u64 },
    #[error("the last record {seq} is not the one `audit.head` names: the tail was replaced")]
    HeadMismatch { seq: u64 },
    #[error("`audit.head` is missing but the log holds {records} record(s)")]
    HeadMissing { records: u64 },
    #[error("`audit.head` is not a head record ({message})")]
    HeadMalformed { message: String },
}

/// A log that verified: its number of records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Verified {
    pub records: u64,
}

impl AuditLog {
    pub fn verify(&self) -> Result<Verified, AuditError> {
        let broken = |problem| AuditError::Broken {
            path: self.log.clone(),
            problem,
        };
        let text = match std::fs::read_to_string(&self.log) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(AuditError::io("read", &self.log)(e)),
        };
        let records = parse(&text).map_err(broken)?;
        walk(&records).map_err(broken)?;
        let last = records.last().map(|(_, r)| r);
        check_head(last, self.head_state()?).map_err(broken)?;
        Ok(Verified {
            records: last.map_or(0, |r| r.seq),
        })
    }
}

fn parse(text: &str) -> Result<Vec<(usize, Record)>, Problem> {
    let mut records = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let record = serde_json::from_str(line).map_err(|e| Problem::Malformed {
            line: i + 1,
            message: e.to_string(),
        })?;
        records.push((i + 1, record));
    }
    Ok(records)
}

fn walk(records: &[(usize, Record)]) -> Result<(), Problem> {
    let mut prev_hash = GENESIS.to_owned();
    for (index, (line, record)) in records.iter().enumerate() {
        let (line, expected) = (*line, index as u64 + 1);
        if record.hash.as_deref() != Some(record.compute_hash().as_str()) {
            return Err(Problem::Edited {
                line,
                seq: record.seq,
            });
        }
        if record.seq != expected {
            let later = records[index..].iter().any(|(_, r)| r.seq == expected);
            let (found, line) = (record.seq, line);
            return Err(if later {
                Problem::OutOfOrder {
                    line,
                    expected,
                    found,
                }
            } else {
                Problem::Missing {
                    line,
                    expected,
                    found,
                }
            });
        }
        if record.prev_hash != prev_hash {
            return Err(Problem::Unchained {
                line,
                seq: record.seq,
            });
        }
        prev_hash = record.hash.clone().unwrap_or_default();
    }
    Ok(())
}

fn check_head(last: Option<&Record>, head: HeadState) -> Result<(), Problem> {
    let head = match head {
        HeadState::Present(head) => head,
        HeadState::Missing => match last {
            None => return Ok(()),
            Some(r) => return Err(Problem::HeadMissing { records: r.seq }),
        },
        HeadState::Malformed(message) => return Err(Problem::HeadMalformed { message }),
    };
    let last_seq = last.map_or(0, |r| r.seq);
    if last_seq < head.seq {
        return Err(Problem::Cut {
            last: last_seq,
            head: head.seq,
        });
    }
    match last {
        Some(r) if r.seq == head.seq && r.hash.as_deref() == Some(head.hash.as_str()) => Ok(()),
        Some(r) if follows(r, &head) => Ok(()),
        _ => Err(Problem::HeadMismatch { seq: last_seq }),
    }
}
