//! Writing the export's files: each beside its target, renamed over it only
//! once every file of the export is complete.
//!
//! Invariants: a reader of `all.zip`, `modified_id.csv` or `<ID>.json`
//! sees the old file or the new one, never a part (each is written to a
//! temporary file in the same directory, synced, then renamed); a failed
//! export renames nothing and leaves no temporary file. Zip entries carry a
//! fixed time and mode, so the same records give the same bytes.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;
use zip::write::SimpleFileOptions;

use super::OsvExportError;

/// Files being written, renamed into place together by [`Pending::commit`].
#[derive(Default)]
pub struct Pending {
    files: Vec<(NamedTempFile, PathBuf)>,
}

impl Pending {
    /// A temporary file beside `target` (its directory is created).
    fn create(target: &Path) -> Result<NamedTempFile, OsvExportError> {
        let dir = target.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(OsvExportError::io(dir))?;
        tempfile::Builder::new()
            .prefix(".stella-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(OsvExportError::io(dir))
    }

    /// Writes `bytes` as `target`'s next version.
    pub fn file(&mut self, target: PathBuf, bytes: &[u8]) -> Result<(), OsvExportError> {
        let mut file = Self::create(&target)?;
        file.write_all(bytes).map_err(OsvExportError::io(&target))?;
        self.files.push((file, target));
        Ok(())
    }

    /// Renames every file over its target, after syncing them all.
    pub fn commit(self) -> Result<(), OsvExportError> {
        for (file, target) in &self.files {
            file.as_file()
                .sync_all()
                .map_err(OsvExportError::io(target))?;
        }
        for (file, target) in self.files {
            file.persist(&target)
                .map_err(|e| OsvExportError::io(&target)(e.error))?;
        }
        Ok(())
    }
}

/// The zips of one export: records go into the top-level zip, compressed
/// once; each ecosystem's zip then copies its entries' compressed bytes
/// from it.
pub struct Zips {
    dir: PathBuf,
    all: zip::ZipWriter<BufWriter<File>>,
    all_file: NamedTempFile,
    /// The ecosystems of each entry of `all`, in entry order.
    members: Vec<Vec<String>>,
}

type Writer = zip::ZipWriter<BufWriter<File>>;

fn options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644)
}

fn open_zip(target: &Path) -> Result<(Writer, NamedTempFile), OsvExportError> {
    let temp = Pending::create(target)?;
    let file = temp.reopen().map_err(OsvExportError::io(target))?;
    Ok((zip::ZipWriter::new(BufWriter::new(file)), temp))
}

impl Zips {
    pub fn new(dir: &Path) -> Result<Self, OsvExportError> {
        let (all, all_file) = open_zip(&dir.join("all.zip"))?;
        Ok(Zips {
            dir: dir.to_owned(),
            all,
            all_file,
            members: Vec::new(),
        })
    }

    /// Adds `<id>.json`, to go to the top-level zip and each ecosystem's.
    pub fn add(
        &mut self,
        id: &str,
        ecosystems: &[String],
        json: &[u8],
    ) -> Result<(), OsvExportError> {
        let target = self.dir.join("all.zip");
        self.all
            .start_file(format!("{id}.json"), options())
            .map_err(|e| OsvExportError::zip(&target, e))?;
        self.all
            .write_all(json)
            .map_err(OsvExportError::io(&target))?;
        self.members.push(ecosystems.to_vec());
        Ok(())
    }

    /// Finishes every zip into `pending`; returns the ecosystems.
    pub fn finish(self, pending: &mut Pending) -> Result<Vec<String>, OsvExportError> {
        let target = self.dir.join("all.zip");
        close(self.all, &target)?;
        let file = self
            .all_file
            .reopen()
            .map_err(OsvExportError::io(&target))?;
        let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
            .map_err(|e| OsvExportError::zip(&target, e))?;
        let mut per: BTreeMap<&str, (Writer, NamedTempFile)> = BTreeMap::new();
        for (index, ecosystems) in self.members.iter().enumerate() {
            for ecosystem in ecosystems {
                let path = self.dir.join(ecosystem).join("all.zip");
                if !per.contains_key(ecosystem.as_str()) {
                    per.insert(ecosystem, open_zip(&path)?);
                }
                let (zip, _) = per.get_mut(ecosystem.as_str()).expect("just inserted");
                let entry = archive
                    .by_index_raw(index)
                    .map_err(|e| OsvExportError::zip(&target, e))?;
                zip.raw_copy_file(entry)
                    .map_err(|e| OsvExportError::zip(&path, e))?;
            }
        }
        pending.files.push((self.all_file, target));
        let ecosystems = per.keys().map(|e| (*e).to_owned()).collect();
        for (ecosystem, (zip, file)) in per {
            let path = self.dir.join(ecosystem).join("all.zip");
            close(zip, &path)?;
            pending.files.push((file, path));
        }
        Ok(ecosystems)
    }
}

fn close(zip: Writer, target: &Path) -> Result<(), OsvExportError> {
    let mut writer = zip.finish().map_err(|e| OsvExportError::zip(target, e))?;
    writer.flush().map_err(OsvExportError::io(target))
}
