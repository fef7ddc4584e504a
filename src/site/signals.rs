//! SIGINT and SIGTERM during an import: the first asks the import to stop
//! before it commits (it rolls back and exits 130 or 143); a second one
//! ends the process at once (the open transaction dies with it, uncommitted).

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use signal_hook::consts::{SIGINT, SIGTERM};

use crate::error::{Error, Result};
use crate::import::Cancel;

pub struct Signals {
    which: Arc<AtomicUsize>,
}

impl Signals {
    pub fn install() -> Result<Signals> {
        let which = Arc::new(AtomicUsize::new(0));
        for (signal, code) in [(SIGINT, 130), (SIGTERM, 143)] {
            let seen = Arc::new(AtomicBool::new(false));
            let err = |e| Error::io("cannot install a signal handler", "signal")(e);
            signal_hook::flag::register_conditional_shutdown(signal, code, Arc::clone(&seen))
                .map_err(err)?;
            signal_hook::flag::register(signal, seen).map_err(err)?;
            signal_hook::flag::register_usize(signal, Arc::clone(&which), signal as usize)
                .map_err(err)?;
        }
        Ok(Signals { which })
    }

    pub fn cancel(&self) -> Cancel {
        Cancel(Arc::clone(&self.which))
    }

    /// The error for an import stopped by a signal, if one came.
    pub fn interrupted(&self) -> Option<Error> {
        match self.which.load(Ordering::SeqCst) {
            0 => None,
            s if s == SIGTERM as usize => Some(Error::Interrupted { signal: "SIGTERM" }),
            _ => Some(Error::Interrupted { signal: "SIGINT" }),
        }
    }
}

/// A reader that stops with an error once a signal asked to cancel, so a
/// long staging read ends promptly.
pub struct Cancellable<R> {
    pub inner: R,
    pub cancel: Cancel,
}

impl<R: Read> Read for Cancellable<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.cancel.requested() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "cancelled by a signal",
            ));
        }
        self.inner.read(buf)
    }
}
