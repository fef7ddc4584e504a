//! `audit acknowledge`: the operator accepts a break of the chain. The
//! acknowledgment is itself a record, chained to the last record that
//! still parses and sealing every byte before it (see `verify`), so the
//! log says when the break was accepted and why, and appends resume.

use std::io::{Read, Seek, SeekFrom, Write};

use super::append::HeadState;
use super::{AuditError, AuditLog, GENESIS, Outcome, Problem, Record};

/// The `command` of an acknowledgment record.
pub const ACKNOWLEDGE: &str = "audit acknowledge";

impl AuditLog {
    /// Appends the acknowledgment of the log's break, for `reason`, at
    /// `time`; refused when the log verifies (there is nothing to accept).
    pub fn acknowledge(&self, reason: &str, time: String) -> Result<(Problem, Record), AuditError> {
        let mut file = self.open_locked()?;
        let problem = match self.verify() {
            Ok(_) => {
                return Err(AuditError::NotBroken {
                    path: self.log.clone(),
                });
            }
            Err(AuditError::Broken { problem, .. }) => problem,
            Err(e) => return Err(e),
        };
        let mut bytes = Vec::new();
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.read_to_end(&mut bytes))
            .map_err(AuditError::io("read", &self.log))?;
        if bytes.last().is_some_and(|b| *b != b'\n') {
            // A partial last line stays as it is, on a line of its own.
            bytes.push(b'\n');
            file.write_all(b"\n")
                .map_err(AuditError::io("append to", &self.log))?;
        }
        let (seq, prev_hash) = self.resume_after_break(&bytes)?;
        let mut record = Record {
            seq: seq + 1,
            time,
            command: ACKNOWLEDGE.to_owned(),
            bundle: "-".to_owned(),
            site_id: None,
            bundle_hash: None,
            outcome: Outcome::Acknowledged,
            reason_code: Some(problem.code()),
            message: Some(format!("{problem}; acknowledged: {reason}")),
            sealed: Some(super::sealed(&bytes)),
            prev_hash,
            hash: None,
        };
        record.hash = Some(record.compute_hash());
        file.write_all(record.line().as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(AuditError::io("append to", &self.log))?;
        self.write_head(&record)?;
        Ok((problem, record))
    }

    /// The seq to number from (the highest the last parsable record or the
    /// head knows) and the hash of the last record that parses.
    fn resume_after_break(&self, bytes: &[u8]) -> Result<(u64, String), AuditError> {
        let text = String::from_utf8_lossy(bytes);
        let last = text
            .lines()
            .rev()
            .find_map(|line| serde_json::from_str::<Record>(line).ok());
        let head_seq = match self.head_state()? {
            HeadState::Present(head) => head.seq,
            HeadState::Missing | HeadState::Malformed(_) => 0,
        };
        Ok(match last {
            Some(r) => (r.seq.max(head_seq), r.hash.unwrap_or_default()),
            None => (head_seq, GENESIS.to_owned()),
        })
    }
}
