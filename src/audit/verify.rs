//! `audit verify`: walk the chain, then compare its end with the head.
//!
//! An acknowledgment (`audit acknowledge`) starts the chain again: the walk
//! begins at the last intact one, whose `sealed` digest must still match
//! every byte before it, so the break it accepted cannot grow afterwards.

use serde::Serialize;

use super::append::{HeadState, follows};
use super::{AuditError, AuditLog, GENESIS, Outcome, Record};

/// The first thing wrong with the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    #[error("line {line} is not an audit record ({message})")]
    Malformed {
        line: usize,
        #[serde(rename = "error")]
        message: String,
    },
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
    #[error("`audit.head` is missing but the log holds {}", crate::units::count(*.records, "record"))]
    HeadMissing { records: u64 },
    #[error("`audit.head` is not a head record ({message})")]
    HeadMalformed {
        #[serde(rename = "error")]
        message: String,
    },
    #[error("the records before the acknowledgment in record {seq} were changed after it")]
    Unsealed { seq: u64 },
}

impl Problem {
    /// The snake_case code `--json` and acknowledgments carry (`cut`).
    pub fn code(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v["problem"].as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// A log that verified: its number of records, and the record of the
/// last acknowledged break, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Verified {
    pub records: u64,
    pub acknowledged: Option<u64>,
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
        let head = self.head_state()?;
        check(&text, head).map_err(broken)
    }
}

/// The chain from the last acknowledgment (or the first record) to the
/// head; before an acknowledgment, only that nothing changed since.
fn check(text: &str, head: HeadState) -> Result<Verified, Problem> {
    let (offset, first_line, ack) = match last_acknowledgment(text) {
        Some((offset, line, ack)) => (offset, line, Some(ack)),
        None => (0, 1, None),
    };
    if let Some(ack) = &ack
        && ack.sealed.as_deref() != Some(super::sealed(&text.as_bytes()[..offset]).as_str())
    {
        return Err(Problem::Unsealed { seq: ack.seq });
    }
    let records = parse(&text[offset..], first_line)?;
    let start = ack
        .as_ref()
        .map_or((1, GENESIS.to_owned()), |a| (a.seq, a.prev_hash.clone()));
    walk(&records, start)?;
    let last = records.last().map(|(_, r)| r);
    check_head(last, head)?;
    Ok(Verified {
        records: last.map_or(0, |r| r.seq),
        acknowledged: ack.map(|a| a.seq),
    })
}

/// The last intact acknowledgment: its byte offset, line number and record.
fn last_acknowledgment(text: &str) -> Option<(usize, usize, Record)> {
    let mut found = None;
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if line.contains("\"outcome\":\"acknowledged\"") {
            let record = serde_json::from_str::<Record>(line.trim_end()).ok();
            if let Some(r) = record.filter(|r| {
                r.outcome == Outcome::Acknowledged
                    && r.sealed.is_some()
                    && r.hash.as_deref() == Some(r.compute_hash().as_str())
            }) {
                found = Some((offset, i + 1, r));
            }
        }
        offset += line.len();
    }
    found
}

fn parse(text: &str, first_line: usize) -> Result<Vec<(usize, Record)>, Problem> {
    let mut records = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let record = serde_json::from_str(line).map_err(|e| Problem::Malformed {
            line: first_line + i,
            message: e.to_string(),
        })?;
        records.push((first_line + i, record));
    }
    Ok(records)
}

/// Checks that `records` number up from `first` and chain from `prev_hash`.
fn walk(records: &[(usize, Record)], (first, mut prev_hash): (u64, String)) -> Result<(), Problem> {
    for (index, (line, record)) in records.iter().enumerate() {
        let (line, expected) = (*line, first + index as u64);
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
