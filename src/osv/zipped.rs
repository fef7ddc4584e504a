//! The records of an osv.dev-style `all.zip`, in archive (central
//! directory) order, read on a thread of their own.
//!
//! Invariants:
//! - Memory does not grow with the number of entries: the central
//!   directory is walked one entry at a time (`zip`'s iterable reader)
//!   instead of being indexed whole, and at most [`AHEAD`] batches of
//!   [`BATCH`] records or [`BATCH_BYTES`] wait in the channel.
//! - Only names ending in `.json` are records; an entry that cannot be read
//!   is one error naming it (`<zip>!<name>`, or `<zip>!#<index>` when even
//!   its name is unknown), and the walk goes on with the next one. A
//!   central directory that cannot be walked further ends the zip with
//!   that error.
//! - The thread stops when the consumer drops the iterator (its next send
//!   fails).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread;

use zip::ZipReadOptions;
use zip::read::Config;
use zip::unstable::read::ZipIterable;

use super::read::{has_extension, read_capped};
use super::{InputError, MAX_RECORD_BYTES, RawRecord};

type Item = Result<RawRecord, InputError>;

/// Records per hand-over to the consumer (one wake-up each).
const BATCH: usize = 32;
/// Raw bytes per batch, at most (a single larger record still goes through).
const BATCH_BYTES: usize = 1 << 20;
/// Batches read ahead of the consumer, at most.
const AHEAD: usize = 2;

/// The records of the zip at `path`, as an iterator fed by a reader thread.
pub(super) fn records(path: PathBuf) -> impl Iterator<Item = Item> {
    let (tx, rx) = sync_channel::<Vec<Item>>(AHEAD);
    thread::spawn(move || {
        let mut batch = Vec::with_capacity(BATCH);
        let ended = read_all(&path, &tx, &mut batch);
        batch.extend(ended.err().map(Err));
        let _ = tx.send(batch);
    });
    rx.into_iter().flatten()
}

/// Sends every record; an error that ends the zip is returned.
fn read_all(
    path: &Path,
    tx: &SyncSender<Vec<Item>>,
    batch: &mut Vec<Item>,
) -> Result<(), InputError> {
    let zip_err = |source| InputError::Zip {
        path: path.to_owned(),
        source,
    };
    let open = || {
        File::open(path).map_err(|source| InputError::Io {
            path: path.to_owned(),
            source,
        })
    };
    let mut archive = ZipIterable::try_new(open()?, Config::default()).map_err(zip_err)?;
    let mut files = archive
        .files_with_reader(open()?, ZipReadOptions::default())
        .map_err(zip_err)?;
    let mut index = 0usize;
    while let Some(file) = files.next() {
        let item = match file {
            Ok(file) => entry(path, index, file),
            Err(e) => Some(Err(InputError::Entry {
                origin: format!("{}!#{index}", path.display()),
                detail: e.to_string(),
            })),
        };
        index += 1;
        batch.extend(item);
        if full(batch) && tx.send(std::mem::take(batch)).is_err() {
            break;
        }
    }
    Ok(())
}

/// A batch holds [`BATCH`] records or [`BATCH_BYTES`].
fn full(batch: &[Item]) -> bool {
    let bytes: usize = batch.iter().flatten().map(|raw| raw.bytes.len()).sum();
    batch.len() >= BATCH || bytes >= BATCH_BYTES
}

/// The record of one entry, `None` when it is no `.json` file.
fn entry(path: &Path, index: usize, file: zip::read::ZipFile<'_, File>) -> Option<Item> {
    let entry_err = |origin: String, detail: String| InputError::Entry { origin, detail };
    let name = match file.name() {
        Ok(name) => name.into_owned(),
        Err(e) => {
            let origin = format!("{}!#{index}", path.display());
            return Some(Err(entry_err(origin, e.to_string())));
        }
    };
    if file.is_dir() || !has_extension(Path::new(&name), "json") {
        return None;
    }
    let origin = format!("{}!{name}", path.display());
    if file.size() > MAX_RECORD_BYTES {
        return Some(Err(InputError::TooLarge { origin }));
    }
    Some(match read_capped(file) {
        Ok(Some(bytes)) => Ok(RawRecord { origin, bytes }),
        Ok(None) => Err(InputError::TooLarge { origin }),
        Err(e) => Err(entry_err(origin, e.to_string())),
    })
}
