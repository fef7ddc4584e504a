//! A file written to be made durable at its end, whose bytes start going
//! to disk while it is still being written: each time another `every`
//! bytes have reached the file, a thread of its own syncs what is there so
//! far. The final sync ([`SyncingFile::sync`]) then has little left to
//! write, instead of the whole file after the last byte.
//!
//! Such a file starts as a temporary file beside its target
//! ([`shared_temp`]) and is renamed over it once complete.
//!
//! Invariants: the bytes written are exactly those given, in order (an
//! early sync only asks the kernel to write what the file already holds);
//! at most one early sync runs at a time, and its error is the next
//! write's, or the final sync's.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::thread::JoinHandle;

/// A temporary file in `dir` (`prefix`, random part, `suffix`), to be
/// renamed over a file other users read: made as `File::create` makes a
/// file (0666 less the umask), not private as a temporary file usually is.
/// A bundle is carried to other sites, often by another user than the one
/// who wrote it; an OSV database is read by scanners running as theirs.
pub fn shared_temp(dir: &Path, prefix: &str, suffix: &str) -> io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(prefix)
        .suffix(suffix)
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(dir)
}

pub struct SyncingFile {
    file: File,
    every: u64,
    written: u64,
    synced: u64,
    syncing: Syncing,
}

/// The early sync running, if any. Dropping it waits for it, so no
/// thread outlives the writer, abandoned or not.
#[derive(Default)]
struct Syncing(Option<JoinHandle<io::Result<()>>>);

impl Syncing {
    fn wait(&mut self) -> io::Result<()> {
        match self.0.take() {
            Some(sync) => sync
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("a sync thread panicked"))),
            None => Ok(()),
        }
    }
}

impl Drop for Syncing {
    fn drop(&mut self) {
        let _ = self.wait();
    }
}

impl SyncingFile {
    /// Writes to `file`, syncing it in the background each `every` bytes.
    pub fn new(file: File, every: u64) -> Self {
        Self {
            file,
            every: every.max(1),
            written: 0,
            synced: 0,
            syncing: Syncing::default(),
        }
    }

    /// Starts syncing what the file holds, once the last early sync is done.
    fn sync_early(&mut self) -> io::Result<()> {
        if self.written - self.synced < self.every {
            return Ok(());
        }
        self.syncing.wait()?;
        let file = self.file.try_clone()?;
        // Where no thread can be started, the final sync does it all.
        let started = std::thread::Builder::new().spawn(move || file.sync_data());
        self.syncing = Syncing(started.ok());
        self.synced = self.written;
        Ok(())
    }

    /// Makes every byte written durable.
    pub fn sync(mut self) -> io::Result<()> {
        self.syncing.wait()?;
        self.file.sync_all()
    }

    /// The file, once the early sync running is done, for a caller that
    /// makes it durable itself (after renaming it, say).
    pub fn into_file(self) -> io::Result<File> {
        let SyncingFile {
            file, mut syncing, ..
        } = self;
        syncing.wait()?;
        Ok(file)
    }
}

impl Write for SyncingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written += n as u64;
        self.sync_early()?;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Seek};

    fn written(every: u64, pieces: &[&[u8]]) -> Vec<u8> {
        let mut file = tempfile::tempfile().unwrap();
        let mut out = SyncingFile::new(file.try_clone().unwrap(), every);
        for piece in pieces {
            out.write_all(piece).unwrap();
        }
        out.sync().unwrap();
        file.rewind().unwrap();
        let mut back = Vec::new();
        file.read_to_end(&mut back).unwrap();
        back
    }

    #[test]
    fn early_syncs_change_no_byte() {
        let pieces: Vec<Vec<u8>> = (0..300u32).map(|i| i.to_le_bytes().repeat(7)).collect();
        let pieces: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
        let whole = pieces.concat();
        for every in [1, 5, 28, 1000, u64::MAX] {
            assert_eq!(written(every, &pieces), whole, "every {every}");
        }
    }

    #[test]
    fn a_sync_starts_each_time_enough_is_written() {
        let mut out = SyncingFile::new(tempfile::tempfile().unwrap(), 10);
        out.write_all(b"123456789").unwrap();
        assert!(out.syncing.0.is_none());
        assert_eq!(out.synced, 0);
        out.write_all(b"0").unwrap();
        assert_eq!(out.synced, 10);
        out.write_all(b"abcdefghij").unwrap();
        assert_eq!(out.synced, 20);
        out.sync().unwrap();
    }

    #[test]
    fn into_file_hands_back_every_byte_after_the_early_sync() {
        let mut out = SyncingFile::new(tempfile::tempfile().unwrap(), 3);
        out.write_all(b"abcdef").unwrap();
        // Six bytes at every three: an early sync was asked at the sixth.
        assert_eq!(out.synced, 6);
        let mut file = out.into_file().unwrap();
        file.rewind().unwrap();
        let mut back = String::new();
        file.read_to_string(&mut back).unwrap();
        assert_eq!(back, "abcdef");
    }
}
