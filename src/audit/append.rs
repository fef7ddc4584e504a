//! Appending to the log under its lock, and the head file.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{AuditError, GENESIS, NewRecord, Record};

/// The last record's seq and hash, kept apart from the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Head {
    pub seq: u64,
    pub hash: String,
}

pub(super) enum HeadState {
    Missing,
    Malformed(String),
    Present(Head),
}

/// `audit.log` and `audit.head` of one home.
#[derive(Clone, Debug)]
pub struct AuditLog {
    pub(super) log: PathBuf,
    pub(super) head: PathBuf,
}

/// How far back `append` looks for the last line before reading the whole log.
const TAIL: u64 = 64 * 1024;

impl AuditLog {
    pub fn new(log: PathBuf, head: PathBuf) -> AuditLog {
        AuditLog { log, head }
    }

    pub fn path(&self) -> &Path {
        &self.log
    }

    /// Numbers, chains and appends one record; returns it as written.
    /// Refused while the chain is broken (see [`AuditLog::acknowledge`]).
    pub fn append(&self, new: NewRecord) -> Result<Record, AuditError> {
        let log = &self.log;
        let mut file = self.open_locked()?;
        self.verify()?;
        let last = last_record(&mut file).map_err(AuditError::io("read", log))?;
        let head = match self.head_state()? {
            HeadState::Present(head) => Some(head),
            HeadState::Missing | HeadState::Malformed(_) => None,
        };
        let (seq, prev) = resume_point(last, head);
        let record = Record::chained(new, seq + 1, prev);
        file.write_all(record.line().as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(AuditError::io("append to", log))?;
        self.write_head(&record)?;
        Ok(record)
    }

    /// The log, opened for appending and locked against other writers.
    pub(super) fn open_locked(&self) -> Result<File, AuditError> {
        let log = &self.log;
        // Never through a link planted in the home (issue #28).
        let file = crate::trust::no_follow(OpenOptions::new().create(true).read(true).append(true))
            .open(log)
            .map_err(AuditError::io("open", log))?;
        file.lock().map_err(AuditError::io("lock", log))?;
        Ok(file)
    }

    pub(super) fn head_state(&self) -> Result<HeadState, AuditError> {
        match std::fs::read_to_string(&self.head) {
            Ok(text) => Ok(match serde_json::from_str(&text) {
                Ok(head) => HeadState::Present(head),
                Err(e) => HeadState::Malformed(e.to_string()),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(HeadState::Missing),
            Err(e) => Err(AuditError::io("read", &self.head)(e)),
        }
    }

    pub(super) fn write_head(&self, record: &Record) -> Result<(), AuditError> {
        let head = Head {
            seq: record.seq,
            hash: record.hash.clone().unwrap_or_default(),
        };
        let tmp = self.head.with_extension("head.tmp");
        let text = serde_json::to_string(&head).unwrap_or_default() + "\n";
        // A fresh file (a leftover, or a link planted there, is removed, not
        // followed), so the write cannot land outside the home (#28).
        let _ = std::fs::remove_file(&tmp);
        crate::trust::no_follow(OpenOptions::new().write(true).create_new(true))
            .open(&tmp)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .map_err(AuditError::io("write", &tmp))?;
        std::fs::rename(&tmp, &self.head).map_err(AuditError::io("write", &self.head))
    }
}

/// Where the next record follows: the head, unless the log holds the one
/// record a dead process appended after it (see the module invariants).
fn resume_point(last: Option<Record>, head: Option<Head>) -> (u64, String) {
    match (last, head) {
        (Some(last), Some(head)) if follows(&last, &head) => {
            (last.seq, last.hash.unwrap_or_default())
        }
        (_, Some(head)) => (head.seq, head.hash),
        (Some(last), None) => (last.seq, last.hash.unwrap_or_default()),
        (None, None) => (0, GENESIS.to_owned()),
    }
}

pub(super) fn follows(record: &Record, head: &Head) -> bool {
    record.seq == head.seq + 1 && record.prev_hash == head.hash
}

/// The last complete line of the log, parsed; `None` when empty or not a record.
fn last_record(file: &mut File) -> std::io::Result<Option<Record>> {
    let len = file.metadata()?.len();
    let mut start = len.saturating_sub(TAIL);
    loop {
        file.seek(SeekFrom::Start(start))?;
        let mut tail = Vec::new();
        file.read_to_end(&mut tail)?;
        let text = String::from_utf8_lossy(&tail);
        let body = text.trim_end_matches('\n');
        match body.rfind('\n') {
            Some(i) => return Ok(serde_json::from_str(&body[i + 1..]).ok()),
            None if start == 0 => return Ok(serde_json::from_str(body).ok()),
            None => start = 0,
        }
    }
}
