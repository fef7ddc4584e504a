//! Writing an entry: the kept bytes and `reason.json`, renamed into place
//! together (see the module invariants).

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::tee::Captured;
use super::{BUNDLE_FILE, Capture, Entry, Quarantine, QuarantineError, REASON_FILE, Record};

/// Why a bundle was refused, as the import saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub reason_code: String,
    pub message: String,
    pub verification_log: Vec<String>,
    pub source: String,
    /// `2025-01-15T10:30:00.000Z`.
    pub received_at: String,
}

impl Quarantine {
    /// Keeps the first `cap` bytes of the bundle file at `path`.
    pub fn keep_file(
        &self,
        path: &Path,
        cap: u64,
        refusal: Refusal,
    ) -> Result<Entry, QuarantineError> {
        self.create_root()?;
        let mut input = File::open(path).map_err(QuarantineError::io("read", path))?;
        let size = input
            .metadata()
            .map_err(QuarantineError::io("read", path))?
            .len();
        let tmp = self.root.join(format!(".copy-{}", uuid::Uuid::new_v4()));
        let copied = copy_capped(&mut input, &tmp, cap).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })?;
        let captured = Captured {
            path: tmp,
            sha256: copied.0,
            seen: size,
            kept: copied.1,
        };
        self.place(captured, refusal)
    }

    /// Keeps what a [`Quarantine::tee`] captured.
    pub fn keep_capture(
        &self,
        capture: Capture,
        refusal: Refusal,
    ) -> Result<Entry, QuarantineError> {
        let captured = capture.finish()?;
        let path = captured.path.clone();
        self.place(captured, refusal).inspect_err(|_| {
            let _ = std::fs::remove_file(&path);
        })
    }

    fn place(&self, c: Captured, refusal: Refusal) -> Result<Entry, QuarantineError> {
        let id = format!("{}-{}", compact_time(&refusal.received_at), &c.sha256[..16]);
        let record = Record {
            reason_code: refusal.reason_code,
            message: refusal.message,
            verification_log: refusal.verification_log,
            source: refusal.source,
            size: c.seen,
            truncated: c.seen > c.kept,
            received_at: refusal.received_at,
        };
        let partial = self.root.join(format!(".{id}"));
        std::fs::create_dir_all(&partial).map_err(QuarantineError::io("create", &partial))?;
        let bundle = partial.join(BUNDLE_FILE);
        std::fs::rename(&c.path, &bundle).map_err(QuarantineError::io("move", &c.path))?;
        let reason = partial.join(REASON_FILE);
        let mut text = serde_json::to_string_pretty(&record).unwrap_or_default();
        text.push('\n');
        std::fs::write(&reason, text).map_err(QuarantineError::io("write", &reason))?;
        let dir = self.root.join(&id);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(QuarantineError::io("replace", &dir))?;
        }
        std::fs::rename(&partial, &dir).map_err(QuarantineError::io("move", &partial))?;
        Ok(Entry {
            id,
            record,
            bundle: dir.join(BUNDLE_FILE),
        })
    }
}

/// Copies at most `cap` bytes to a new file; (sha256 hex, bytes copied).
fn copy_capped(input: &mut File, to: &PathBuf, cap: u64) -> Result<(String, u64), QuarantineError> {
    let mut out = File::create(to).map_err(QuarantineError::io("create", to))?;
    let mut hasher = Sha256::new();
    let mut limited = input.take(cap);
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = limited
            .read(&mut buf)
            .map_err(QuarantineError::io("read bundle for", to))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n])
            .map_err(QuarantineError::io("write", to))?;
        total += n as u64;
    }
    out.sync_all().map_err(QuarantineError::io("write", to))?;
    Ok((hex::encode(hasher.finalize()), total))
}

/// `2025-01-15T10:30:00.123Z` → `20250115T103000123Z`.
fn compact_time(time: &str) -> String {
    time.chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}
