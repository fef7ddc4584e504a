//! An import's body, read ahead on its connection's thread into a locked
//! scratch directory under the home's `staging/`, within the sender's
//! size cap, before the import takes the exclusive worker.
//!
//! Why spool rather than a total body deadline: a deadline short enough
//! to keep a trickling client from holding the one import worker would
//! also cut off an honest peer on a slow link; spooled, a slow body costs
//! only its own connection's thread (which the connection caps bound) and
//! at most one spool per sender (`senders`), and the import reads a file.
//!
//! Invariants: the cap is the config's `FederationImport.MaxBundleSizeBytes`
//! and, once the sender is known as a site, that site's own
//! `--max-bundle-size`, on every framing: a `Content-Length` over it is
//! refused before a byte of the body is read, a chunked or HTTP/1.0 body
//! is cut one byte past it, both with the import's own refusal
//! (`bundle_too_large`, 413); a declared length is checked against the
//! free space first; the scratch directory goes when the import is done.

use std::fs::File;
use std::io::{Seek, SeekFrom};

use super::app::{App, error_response};
use crate::error::{Error, Result};
use crate::import::{BundleSize, ImportError, Input, SizeLimit};
use crate::journal::Scratch;
use crate::metrics::Operation;
use crate::serve::{ApiError, Body, ErrorBody, Principal, Response, SpoolError};

/// The largest bundle the sender may send, and whose limit that is.
pub struct Cap {
    pub limit: u64,
    pub which: SizeLimit,
}

impl Cap {
    /// The config's cap, or the site's own when the sender is a site with
    /// a lower one.
    pub fn of(app: &App, principal: &Principal) -> Result<Cap> {
        let config = Cap {
            limit: app.site.config.federation_import.max_bundle_size_bytes,
            which: SizeLimit::Config,
        };
        let Principal::Site(id) = principal else {
            return Ok(config);
        };
        let site = app.site.open_store()?.site(id)?;
        Ok(match site.and_then(|s| s.max_bundle_size) {
            Some(limit) if limit < config.limit => Cap {
                limit,
                which: SizeLimit::Site(id.clone()),
            },
            _ => config,
        })
    }

    /// The import's refusal of a bundle of `size` over this cap (413),
    /// counted as the import's failure.
    pub fn refuse<'a>(self, app: &App, size: BundleSize) -> Response<'a> {
        let site = match &self.which {
            SizeLimit::Site(id) => Some(id.clone()),
            SizeLimit::Config => None,
        };
        let error = ImportError::TooLarge {
            size,
            limit: self.limit,
            which: self.which,
        };
        app.metrics(|m| m.failure(Operation::Import, site.as_deref(), error.reason_code()));
        let body = ErrorBody::new(error.reason_code(), error.to_string());
        Response::json(413, &body)
    }
}

/// A body read ahead: its file, its length and the directory it is in.
pub struct Spooled {
    file: File,
    len: u64,
    _scratch: Scratch,
}

impl Spooled {
    /// The spooled bundle as the import reads it; the scratch directory is
    /// removed when the returned guard drops.
    pub fn input(self) -> (Input<'static>, Scratch) {
        let input = Input {
            reader: Box::new(std::io::BufReader::with_capacity(1 << 16, self.file)),
            len: Some(self.len),
        };
        (input, self._scratch)
    }
}

/// Reads `body` (of `declared` bytes, if said) into a new scratch file.
pub fn spool<'a>(
    app: &App,
    mut body: Body,
    declared: Option<u64>,
    cap: Cap,
) -> Result<Spooled, Response<'a>> {
    let prepared = || -> Result<(Scratch, File)> {
        let scratch = crate::site::scratch(&app.site.home.staging_dir())?;
        if let Some(len) = declared {
            crate::site::import::check_space(scratch.dir(), len)?;
        }
        let path = scratch.dir().join("body.tar.zst");
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(Error::io("cannot create the spool file", &path))?;
        Ok((scratch, file))
    };
    let (scratch, mut file) = prepared().map_err(|e| error_response(&e))?;
    let len = match body.spool_to(&mut file, cap.limit, &|| app.cancel.requested()) {
        Ok(len) => len,
        Err(SpoolError::TooLarge { cap: limit }) => {
            return Err(cap.refuse(app, BundleSize::MoreThan(limit)));
        }
        Err(SpoolError::Read(e)) if is_timeout(&e) => {
            return Err(Response::error(&ApiError::Timeout));
        }
        Err(SpoolError::Read(e)) => {
            let why = format!("cannot read the bundle from the request body: {e}");
            return Err(Response::json(400, &ErrorBody::new("read_failed", why)));
        }
        Err(SpoolError::Stopped) => return Err(Response::error(&ApiError::Unavailable)),
        Err(SpoolError::Write(e)) => {
            let path = scratch.dir().to_owned();
            return Err(error_response(&Error::io(
                "cannot spool the request body",
                &path,
            )(e)));
        }
    };
    if let Err(e) = file.seek(SeekFrom::Start(0)) {
        let path = scratch.dir().to_owned();
        return Err(error_response(&Error::io(
            "cannot read the spooled body",
            &path,
        )(e)));
    }
    Ok(Spooled {
        file,
        len,
        _scratch: scratch,
    })
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
    )
}
