//! Writing the export's files: each beside its target, renamed over it only
//! once every file of the export is complete.
//!
//! Invariants: a reader of `all.zip`, `modified_id.csv` or `<ID>.json`
//! sees the old file or the new one, never a part (each is written to a
//! temporary file in the same directory, synced, closed, then renamed); a
//! failed export renames nothing and leaves no temporary file. Pending
//! files hold no open descriptor, so an export of any number of records
//! stays within the process's file limit.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::TempPath;

use super::OsvExportError;
use super::zipw::{Deflated, ZipOut};

/// Files written, renamed into place together by [`Pending::commit`].
#[derive(Default)]
pub struct Pending {
    files: Vec<(TempPath, PathBuf)>,
}

impl Pending {
    /// A temporary file beside `target` (its directory is created), made
    /// readable as any file is (`durable::shared_temp`).
    pub fn create(target: &Path) -> Result<(File, TempPath), OsvExportError> {
        let dir = target.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(OsvExportError::io(dir))?;
        let temp = crate::durable::shared_temp(dir, ".stella-", ".tmp")
            .map_err(OsvExportError::io(dir))?;
        Ok(temp.into_parts())
    }

    /// Writes `bytes` as `target`'s next version.
    pub fn file(&mut self, target: PathBuf, bytes: &[u8]) -> Result<(), OsvExportError> {
        let (mut file, temp) = Self::create(&target)?;
        file.write_all(bytes).map_err(OsvExportError::io(&target))?;
        self.adopt(file, temp, target)
    }

    /// Takes a complete temporary file: synced and closed now, renamed at commit.
    pub fn adopt(
        &mut self,
        file: File,
        temp: TempPath,
        target: PathBuf,
    ) -> Result<(), OsvExportError> {
        file.sync_all().map_err(OsvExportError::io(&target))?;
        self.files.push((temp, target));
        Ok(())
    }

    /// Takes `other`'s files, to be renamed after this one's.
    pub fn extend(&mut self, other: Pending) {
        self.files.extend(other.files);
    }

    /// Renames every file over its target.
    pub fn commit(self) -> Result<(), OsvExportError> {
        for (temp, target) in self.files {
            temp.persist(&target)
                .map_err(|e| OsvExportError::io(&target)(e.error))?;
        }
        Ok(())
    }
}

/// A text file written line by line beside its target.
pub struct Lines {
    out: BufWriter<File>,
    temp: TempPath,
    target: PathBuf,
}

impl Lines {
    pub fn new(target: PathBuf) -> Result<Lines, OsvExportError> {
        let (file, temp) = Pending::create(&target)?;
        Ok(Lines {
            out: BufWriter::new(file),
            temp,
            target,
        })
    }

    /// Writes `pieces` end to end, then a newline.
    pub fn line(&mut self, pieces: &[&str]) -> Result<(), OsvExportError> {
        pieces
            .iter()
            .chain([&"\n"])
            .try_for_each(|piece| self.out.write_all(piece.as_bytes()))
            .map_err(OsvExportError::io(&self.target))
    }

    pub fn finish(self, pending: &mut Pending) -> Result<(), OsvExportError> {
        let file = self
            .out
            .into_inner()
            .map_err(|e| OsvExportError::io(&self.target)(e.into_error()))?;
        pending.adopt(file, self.temp, self.target)
    }
}

/// The zips of a full export: `all.zip` and one per ecosystem, opened as
/// their first record arrives. Each record is compressed once.
pub struct Zips {
    dir: PathBuf,
    /// By ecosystem, in the order opened (a handful: looked up by a scan,
    /// which compares lengths before bytes, instead of a tree's ordered
    /// comparisons, twice per record on the writer's thread).
    zips: Vec<(String, ZipOut, TempPath)>,
}

impl Zips {
    pub fn new(dir: &Path) -> Zips {
        Zips {
            dir: dir.to_owned(),
            zips: Vec::new(),
        }
    }

    fn target(&self, ecosystem: &str) -> PathBuf {
        match ecosystem {
            "" => self.dir.join("all.zip"),
            _ => self.dir.join(ecosystem).join("all.zip"),
        }
    }

    /// Adds a record (its compressed bytes in `buffer`) to the top-level
    /// zip and to each of `ecosystems`'.
    pub fn add<'e>(
        &mut self,
        ecosystems: impl Iterator<Item = &'e str>,
        record: &Deflated,
        buffer: &[u8],
    ) -> Result<(), OsvExportError> {
        for ecosystem in std::iter::once("").chain(ecosystems) {
            let zip = self.open(ecosystem)?;
            if let Err(e) = zip.add(record, buffer) {
                return Err(OsvExportError::io(&self.target(ecosystem))(e));
            }
        }
        Ok(())
    }

    /// The zip of `ecosystem` (`""`: the top-level one), opened on first use.
    fn open(&mut self, ecosystem: &str) -> Result<&mut ZipOut, OsvExportError> {
        let at = match self.zips.iter().position(|(e, ..)| e == ecosystem) {
            Some(at) => at,
            None => {
                let target = self.target(ecosystem);
                let (file, temp) = Pending::create(&target)?;
                let zip = ZipOut::new(file, &self.dir).map_err(OsvExportError::io(&target))?;
                self.zips.push((ecosystem.to_owned(), zip, temp));
                self.zips.len() - 1
            }
        };
        Ok(&mut self.zips[at].1)
    }

    /// Finishes every zip into `pending`; returns the ecosystems.
    pub fn finish(mut self, pending: &mut Pending) -> Result<Vec<String>, OsvExportError> {
        // An export of no record still writes an (empty) top-level zip.
        self.open("")?;
        let mut ecosystems = Vec::new();
        let mut zips = std::mem::take(&mut self.zips);
        zips.sort_by(|a, b| a.0.cmp(&b.0));
        for (ecosystem, zip, temp) in zips {
            let target = self.target(&ecosystem);
            let file = zip.finish().map_err(OsvExportError::io(&target))?;
            pending.adopt(file, temp, target)?;
            if !ecosystem.is_empty() {
                ecosystems.push(ecosystem);
            }
        }
        Ok(ecosystems)
    }
}
