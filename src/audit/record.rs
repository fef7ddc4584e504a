//! One audit record and its hash.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Committed,
    DryRun,
    AlreadyImported,
    Rejected,
    /// `audit acknowledge`: the operator accepted a break of the chain.
    Acknowledged,
}

/// What the caller knows about an attempt; `append` numbers and chains it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRecord {
    pub time: String,
    pub command: String,
    pub bundle: String,
    pub site_id: Option<String>,
    pub bundle_hash: Option<String>,
    pub outcome: Outcome,
    pub reason_code: Option<String>,
    pub message: Option<String>,
}

/// One line of `audit.log`, fields in this order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub seq: u64,
    pub time: String,
    pub command: String,
    pub bundle: String,
    pub site_id: Option<String>,
    pub bundle_hash: Option<String>,
    pub outcome: Outcome,
    pub reason_code: Option<String>,
    pub message: Option<String>,
    /// Only in an acknowledgment: the sha256 (hex) of every byte of the
    /// log before it, so the broken part it accepted cannot change later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<String>,
    pub prev_hash: String,
    /// Absent only while the hash is computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
}

impl Record {
    pub fn chained(new: NewRecord, seq: u64, prev_hash: String) -> Record {
        let mut record = Record {
            seq,
            time: new.time,
            command: new.command,
            bundle: new.bundle,
            site_id: new.site_id,
            bundle_hash: new.bundle_hash,
            outcome: new.outcome,
            reason_code: new.reason_code,
            message: new.message,
            sealed: None,
            prev_hash,
            hash: None,
        };
        record.hash = Some(record.compute_hash());
        record
    }

    /// sha256 (hex) of the record's JSON without `hash`.
    pub fn compute_hash(&self) -> String {
        let body = Record {
            hash: None,
            ..self.clone()
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        hex::encode(Sha256::digest(&json))
    }

    pub fn line(&self) -> String {
        let mut line = serde_json::to_string(self).unwrap_or_default();
        line.push('\n');
        line
    }
}
