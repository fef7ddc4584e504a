//! The error a command returns to `run`, and its exit code.
//!
//! Each boundary (config, store, bundle, keys, import, export, OSV input) has
//! its own enum; this one only wraps them and adds the few errors that belong
//! to the command layer. `run` prints the message once, as `error: …`.

use std::path::PathBuf;

use crate::exit::Exit;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Cursor(#[from] crate::cursor::CursorError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(
        "stella home `{home}` is not initialized: run `stella init --site-id ID` or pass --home"
    )]
    NotInitialized { home: PathBuf },
    #[error("stella home `{home}` is already initialized (it has `{file}`); use another --home")]
    AlreadyInitialized { home: PathBuf, file: PathBuf },
    #[error(transparent)]
    Untrusted(#[from] crate::trust::Untrusted),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Bundle(#[from] crate::bundle::BundleError),
    #[error(transparent)]
    Key(#[from] crate::keys::KeyError),
    #[error(transparent)]
    Import(#[from] crate::import::ImportError),
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
    #[error(transparent)]
    Input(#[from] crate::osv::InputError),
    #[error(transparent)]
    OsvExport(#[from] crate::osv_out::OsvExportError),
    #[error(transparent)]
    Quarantine(#[from] crate::quarantine::QuarantineError),
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    #[error(transparent)]
    Sync(#[from] crate::sync::SyncError),
    #[cfg(feature = "serve")]
    #[error(transparent)]
    Serve(#[from] crate::serve::ServeError),
    #[error("{}", partial_ingest(*.failed, *.read))]
    PartialIngest { failed: u64, read: u64 },
    #[error("{what} `{name}` not found")]
    NotFound { what: &'static str, name: String },
    #[error(
        "another stella is writing to the home `{home}` ({holder}); waited {waited_ms} ms: try again when it has finished, or raise --lock-wait"
    )]
    HomeBusy {
        home: PathBuf,
        holder: String,
        waited_ms: u64,
    },
    #[error(
        "the home `{home}` is not writable ({source}): stella keeps its store, journal and staging there; make it writable or pass another --home"
    )]
    HomeReadOnly {
        home: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "federation is disabled: Federation.Enabled is false in `{config}`; set it to true to export, import or validate bundles and to serve the HTTP API"
    )]
    FederationDisabled { config: PathBuf },
    #[error("interrupted by {signal}: the import was rolled back, nothing was committed")]
    Interrupted { signal: &'static str },
    /// A failure whose details the command already printed (a validation report).
    #[error("{message}")]
    Reported { message: String, exit: Exit },
    #[error("{action} `{path}`: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The last line of an ingest that refused records (the groups are above).
fn partial_ingest(failed: u64, read: u64) -> String {
    if failed == read {
        let all = match read {
            1 => "the one record was".to_owned(),
            n => format!("all {n} records were"),
        };
        return format!("{all} refused (grouped above): nothing was ingested");
    }
    let records = if read == 1 { "record" } else { "records" };
    format!("{failed} of {read} {records} were refused (grouped above); the rest were applied")
}

impl Error {
    /// `stella … | head` closing the pipe early is not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        let broken = |e: &std::io::Error| e.kind() == std::io::ErrorKind::BrokenPipe;
        if let Error::Store(crate::store::StoreError::Io(e)) = self {
            return broken(e);
        }
        let mut current: Option<&(dyn std::error::Error + 'static)> = Some(self);
        while let Some(e) = current {
            if let Some(io) = e.downcast_ref::<std::io::Error>()
                && broken(io)
            {
                return true;
            }
            current = e.source();
        }
        false
    }

    pub fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    }

    pub fn exit(&self) -> Exit {
        match self {
            Error::Usage(_) | Error::Cursor(_) => Exit::Usage,
            Error::Config(_)
            | Error::NotInitialized { .. }
            | Error::AlreadyInitialized { .. }
            | Error::Untrusted(_) => Exit::Config,
            Error::Store(crate::store::StoreError::UnknownKey { .. }) => Exit::NotFound,
            Error::Store(_) => Exit::Store,
            Error::Bundle(_) => Exit::BundleInvalid,
            Error::Key(_) => Exit::Key,
            Error::Import(e) => e.exit(),
            Error::Export(e) => e.exit(),
            Error::OsvExport(e) => e.exit(),
            Error::Quarantine(e) => e.exit(),
            Error::Audit(e) => e.exit(),
            Error::Sync(e) => e.exit(),
            #[cfg(feature = "serve")]
            Error::Serve(e) => e.exit(),
            Error::Input(_) | Error::Io { .. } => Exit::Failure,
            Error::PartialIngest { .. } => Exit::PartialIngest,
            Error::NotFound { .. } => Exit::NotFound,
            Error::Reported { exit, .. } => *exit,
            Error::HomeBusy { .. } => Exit::Store,
            Error::HomeReadOnly { .. } | Error::FederationDisabled { .. } => Exit::Config,
            Error::Interrupted { signal } if *signal == "SIGTERM" => Exit::Terminated,
            Error::Interrupted { .. } => Exit::Interrupted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_errors_map_to_their_codes() {
        assert_eq!(Error::Usage("x".into()).exit().code(), 2);
        let cursor = "nope".parse::<crate::cursor::Cursor>().unwrap_err();
        assert_eq!(Error::from(cursor).exit().code(), 2);
        let home = PathBuf::from("/h");
        assert_eq!(Error::NotInitialized { home }.exit().code(), 3);
        assert_eq!(
            Error::from(crate::store::StoreError::Busy).exit().code(),
            10
        );
        let partial = Error::PartialIngest { failed: 1, read: 2 };
        assert_eq!(partial.exit().code(), 9);
        let missing = Error::NotFound {
            what: "canonical",
            name: "sha256:00".into(),
        };
        assert_eq!(missing.exit().code(), 12);
        assert_eq!(missing.to_string(), "canonical `sha256:00` not found");
    }
}
