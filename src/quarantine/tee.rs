//! Capturing a stream while it is read: stdin can be read only once, so
//! what the import reads is also written, up to the cap, to a private file
//! under the quarantine (`.incoming-<uuid>`). The file is removed when the
//! capture is dropped unless it was kept.

use std::cell::RefCell;
use std::fs::File;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::rc::Rc;

use sha2::{Digest, Sha256};

use super::{Quarantine, QuarantineError};

struct State {
    file: Option<File>,
    path: PathBuf,
    cap: u64,
    kept: u64,
    seen: u64,
    hasher: Sha256,
    /// Set when a write failed: the capture is incomplete and is not kept.
    failed: Option<std::io::Error>,
    persisted: bool,
}

impl State {
    fn record(&mut self, bytes: &[u8]) {
        self.seen += bytes.len() as u64;
        let room = usize::try_from(self.cap - self.kept).unwrap_or(usize::MAX);
        let take = &bytes[..bytes.len().min(room)];
        if take.is_empty() || self.failed.is_some() {
            return;
        }
        let Some(file) = self.file.as_mut() else {
            return;
        };
        match file.write_all(take) {
            Ok(()) => {
                self.kept += take.len() as u64;
                self.hasher.update(take);
            }
            Err(e) => self.failed = Some(e),
        }
    }
}

impl Drop for State {
    fn drop(&mut self) {
        if !self.persisted {
            self.file = None;
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The capture side of a tee; see [`Quarantine::tee`].
pub struct Capture {
    state: Rc<RefCell<State>>,
}

/// What a finished capture holds.
pub(super) struct Captured {
    pub path: PathBuf,
    pub sha256: String,
    pub seen: u64,
    pub kept: u64,
}

impl Capture {
    /// Marks the file as taken over (it will not be removed on drop).
    pub(super) fn finish(self) -> Result<Captured, QuarantineError> {
        let mut state = self.state.borrow_mut();
        if let Some(e) = state.failed.take() {
            return Err(QuarantineError::Io {
                action: "write",
                path: state.path.clone(),
                source: e,
            });
        }
        if let Some(file) = state.file.take() {
            file.sync_all()
                .map_err(QuarantineError::io("write", &state.path))?;
        }
        state.persisted = true;
        let hasher = std::mem::take(&mut state.hasher);
        Ok(Captured {
            path: state.path.clone(),
            sha256: hex::encode(hasher.finalize()),
            seen: state.seen,
            kept: state.kept,
        })
    }
}

struct Tee<'a> {
    inner: Box<dyn Read + 'a>,
    state: Rc<RefCell<State>>,
}

impl Read for Tee<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.state.borrow_mut().record(&buf[..n]);
        Ok(n)
    }
}

impl Quarantine {
    /// Wraps `reader` so that its first `cap` bytes are captured.
    pub fn tee<'a>(
        &self,
        reader: Box<dyn Read + 'a>,
        cap: u64,
    ) -> Result<(Box<dyn Read + 'a>, Capture), QuarantineError> {
        self.create_root()?;
        let path = self
            .root
            .join(format!(".incoming-{}", uuid::Uuid::new_v4()));
        let file = File::create(&path).map_err(QuarantineError::io("create", &path))?;
        let state = Rc::new(RefCell::new(State {
            file: Some(file),
            path,
            cap,
            kept: 0,
            seen: 0,
            hasher: Sha256::new(),
            failed: None,
            persisted: false,
        }));
        let tee = Tee {
            inner: reader,
            state: Rc::clone(&state),
        };
        Ok((Box::new(tee), Capture { state }))
    }
}
