//! The records of an osv.dev-style `all.zip`, in archive (central
//! directory) order, read on a thread of their own.
//!
//! Invariants:
//! - Memory does not grow with the number of entries: the central
//!   directory is walked one entry at a time (`zip`'s iterable reader)
//!   instead of being indexed whole, and at most [`AHEAD`] batches wait in
//!   the channel, each cut by [`Batch`]: the bounds the ingest pipeline
//!   cuts at too.
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
use super::{Batch, InputError, MAX_RECORD_BYTES, RawRecord};

type Item = Result<RawRecord, InputError>;
/// Batches read ahead of the consumer, at most.
const AHEAD: usize = 2;

/// The records of the zip at `path`, as an iterator fed by a reader thread.
pub(super) fn records(path: PathBuf) -> impl Iterator<Item = Item> {
    let (tx, rx) = sync_channel::<Vec<Item>>(AHEAD);
    thread::spawn(move || {
        let mut batch = Batch::default();
        if let Err(e) = read_all(&path, &tx, &mut batch) {
            batch.push(Err(e));
        }
        let _ = tx.send(batch.take());
    });
    rx.into_iter().flatten()
}

/// Sends every record; an error that ends the zip is returned.
fn read_all(path: &Path, tx: &SyncSender<Vec<Item>>, batch: &mut Batch) -> Result<(), InputError> {
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
        let Some(item) = item else {
            continue;
        };
        if batch.push(item) && tx.send(batch.take()).is_err() {
            break;
        }
    }
    Ok(())
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
