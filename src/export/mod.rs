//! Exporting: the full state, or the delta since a cursor, as a chain of bundles.
//!
//! A delta holds every canonical (with its whole edge set) and tombstone whose
//! last change is after the cursor, in feed order. When it holds more than
//! `max_items` items it is cut, between rows, into a chain: each bundle's
//! `since_cursor` is the previous bundle's `export_cursor`, so the receiving
//! site can import them in order. Rows are spooled to disk first (the manifest,
//! which pins their hashes, comes first in the archive), so memory does not
//! grow with the export. The output bytes depend only on the store's data and
//! the key: `exported_at` is the time of the newest change included. With a
//! byte limit, parts are measured and cut further (`fit`) before anything
//! is written.

pub mod chain;
mod collect;
mod fit;

pub use fit::{Measure, fit};

use std::io::Write;
use std::path::Path;

use crate::bundle::{self, ExportHeader, WriteOptions, Written};
use crate::cursor::Cursor;
use crate::exit::Exit;
use crate::keys::Signer;
use crate::progress::{CountingWriter, Progress, Ticker, Unit};
use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(
        "no signing key: create one with `stella authority keys generate --name NAME --algorithm ES256 --purpose federation`, or pass --unsigned"
    )]
    NoSigningKey,
    #[error(
        "several federation keys ({names}) and none is the default: choose one with `stella authority keys default NAME` (or --key NAME)"
    )]
    AmbiguousKey { names: String },
    #[error(
        "the delta needs {parts} bundles (over {flag} {limit}), which cannot all go to stdout: write to a file with -o, or raise {flag}"
    )]
    ChainToStdout {
        parts: usize,
        /// The limit that cut the chain: `--max-items` or `--max-bytes`.
        flag: &'static str,
        limit: u64,
    },
    #[error(
        "the change at cursor `{cursor}` alone makes a bundle of {bytes} bytes, over --max-bytes {max_bytes}: raise --max-bytes to at least {bytes}"
    )]
    RowOverMaxBytes {
        cursor: Cursor,
        bytes: u64,
        max_bytes: u64,
    },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Bundle(#[from] crate::bundle::BundleError),
    #[error("cannot spool export rows in `{path}`: {source}")]
    Spool {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

impl ExportError {
    /// The message as read on `surface`: over HTTP there is no `--unsigned`
    /// (the API always signs), so the way out is a key for the server.
    pub fn render(&self, surface: crate::import::Surface) -> String {
        match (self, surface) {
            (ExportError::NoSigningKey, crate::import::Surface::Http) => "no signing key: the API signs every bundle it serves: create one with `stella authority keys generate --name NAME --algorithm ES256 --purpose federation` and restart `stella feedser serve`".to_owned(),
            _ => self.to_string(),
        }
    }

    /// A stable snake_case code, as metrics and the HTTP API report it.
    pub fn reason_code(&self) -> &'static str {
        match self {
            ExportError::NoSigningKey => "no_signing_key",
            ExportError::AmbiguousKey { .. } => "ambiguous_key",
            ExportError::ChainToStdout { .. } => "chain_to_stdout",
            ExportError::RowOverMaxBytes { .. } => "row_over_max_bytes",
            ExportError::Store(_) => "store_error",
            ExportError::Bundle(e) => e.reason_code(),
            ExportError::Spool { .. } => "spool_failed",
        }
    }

    pub fn exit(&self) -> Exit {
        match self {
            ExportError::ChainToStdout { .. } | ExportError::RowOverMaxBytes { .. } => Exit::Usage,
            ExportError::NoSigningKey | ExportError::AmbiguousKey { .. } => Exit::Key,
            ExportError::Store(_) => Exit::Store,
            ExportError::Bundle(_) | ExportError::Spool { .. } => Exit::Failure,
        }
    }
}

/// One bundle of the chain: rows after `since` up to and including `upto`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub since: Option<Cursor>,
    pub upto: Cursor,
    pub items: u64,
}

/// The delta after `since`, cut into parts. `since` may be any point
/// ([`Cursor::point`]): the delta starts after the feed's last entry at or
/// before it, and says so as its `since_cursor`, so the importing site's gap
/// check compares feed entries only. A point before the whole feed asks
/// for everything: a full export.
pub fn plan(
    store: &dyn Store,
    since: Option<Cursor>,
    max_items: u64,
    skip_via: Option<&str>,
) -> Result<Vec<Part>, ExportError> {
    let since = resolve(store, since)?;
    let max_items = max_items.max(1);
    let since_seq = since.map(|c| c.seq());
    match store.export_summary_for(since_seq, skip_via)? {
        None => Ok(Vec::new()),
        // One bundle: no need to walk every row's size.
        Some((upto, items)) if items <= max_items => Ok(vec![Part { since, upto, items }]),
        Some(_) => {
            let sizes = store.export_sizes_for(since_seq, skip_via)?;
            Ok(cut(since, &sizes, max_items))
        }
    }
}

/// The feed entry a delta after `since` (any point) follows: the point
/// itself when it is an entry, else the last entry before it; `None` (a
/// full export) for no point or one before the whole feed.
pub fn resolve(store: &dyn Store, since: Option<Cursor>) -> Result<Option<Cursor>, ExportError> {
    Ok(match since {
        Some(point) if store.cursor_at(point.seq())? == Some(point) => Some(point),
        Some(point) => store.cursor_floor(point)?,
        None => None,
    })
}

/// Greedy cut between rows; a single row larger than `max_items` gets a part of its own.
pub fn cut(since: Option<Cursor>, sizes: &[(Cursor, u64)], max_items: u64) -> Vec<Part> {
    let mut parts: Vec<Part> = Vec::new();
    let mut since = since;
    let mut current: Option<Part> = None;
    for &(cursor, items) in sizes {
        if let Some(part) = current.as_mut() {
            if part.items + items <= max_items {
                part.upto = cursor;
                part.items += items;
                continue;
            }
            since = Some(part.upto);
            parts.extend(current.take());
        }
        current = Some(Part {
            since,
            upto: cursor,
            items,
        });
    }
    parts.extend(current);
    parts
}

pub struct Exporter<'a> {
    pub store: &'a dyn Store,
    pub site_id: &'a str,
    /// Leave out rows that came unchanged from this peer (`--for`).
    pub skip_via: Option<&'a str>,
    pub signer: Option<&'a Signer>,
    pub options: WriteOptions,
    /// Where rows are spooled while a bundle is built; it must exist (it
    /// is never created here, so a signal's clean-up is not undone).
    pub spool_dir: &'a Path,
    /// Told the items collected (of the part's total) and the bytes written.
    pub progress: &'a dyn Progress,
}

impl Exporter<'_> {
    pub fn write(&self, part: &Part, out: &mut dyn Write) -> Result<Written, ExportError> {
        let spool = |source| ExportError::Spool {
            path: self.spool_dir.to_owned(),
            source,
        };
        let dir = tempfile::Builder::new()
            .prefix("export-")
            .tempdir_in(self.spool_dir)
            .map_err(spool)?;
        let since = part.since.map(|c| c.seq());
        self.progress
            .start("collecting", Unit::Items, Some(part.items));
        let ticker = Ticker::new(self.progress);
        let rows = collect::Rows {
            since,
            upto: part.upto.seq(),
            skip_via: self.skip_via,
            site_id: self.site_id,
        };
        let members = collect::collect(self.store, &rows, (dir.path(), &self.options), &ticker)
            .map_err(|e| match e {
                collect::CollectError::Store(e) => ExportError::Store(e),
                collect::CollectError::Spool(source) => spool(source),
            })?;
        drop(ticker);
        let header = ExportHeader {
            site_id: self.site_id.to_owned(),
            since_cursor: part.since,
            export_cursor: part.upto,
            exported_at: crate::cursor::format_millis(part.upto.millis()),
        };
        self.progress.start("writing", Unit::Bytes, None);
        let mut out = CountingWriter::new(out, self.progress);
        let written = bundle::write_bundle(&mut out, &header, members, self.signer, &self.options)?;
        drop(out);
        self.progress.finish();
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(seq: u64) -> Cursor {
        Cursor::new(1_700_000_000_000 + seq as i64, seq)
    }

    #[test]
    fn small_delta_is_one_part() {
        let parts = cut(None, &[(c(1), 3), (c(2), 1)], 10);
        assert_eq!(
            parts,
            vec![Part {
                since: None,
                upto: c(2),
                items: 4
            }]
        );
    }

    #[test]
    fn large_delta_is_a_chain_of_linked_parts() {
        let sizes = [(c(1), 4), (c(2), 4), (c(3), 4), (c(4), 1)];
        let parts = cut(Some(c(0)), &sizes, 8);
        assert_eq!(
            parts,
            vec![
                Part {
                    since: Some(c(0)),
                    upto: c(2),
                    items: 8
                },
                Part {
                    since: Some(c(2)),
                    upto: c(4),
                    items: 5
                },
            ]
        );
    }

    #[test]
    fn oversized_row_gets_its_own_part() {
        let parts = cut(None, &[(c(1), 1), (c(2), 50), (c(3), 1)], 10);
        let uptos: Vec<Cursor> = parts.iter().map(|p| p.upto).collect();
        assert_eq!(uptos, vec![c(1), c(2), c(3)]);
        assert_eq!(parts[1].since, Some(c(1)));
    }

    #[test]
    fn empty_delta_has_no_parts() {
        assert!(cut(Some(c(5)), &[], 10).is_empty());
    }
}
