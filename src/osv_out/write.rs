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

/// The zips of one export: the top-level one and one per ecosystem.
pub struct Zips {
    dir: PathBuf,
    all: zip::ZipWriter<BufWriter<File>>,
    all_file: NamedTempFile,
    per: BTreeMap<String, (zip::ZipWriter<BufWriter<File>>, NamedTempFile)>,
}

fn options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644)
}

fn open_zip(
    target: &Path,
) -> Result<(zip::ZipWriter<BufWriter<File>>, NamedTempFile), OsvExportError> {
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
            per: BTreeMap::new(),
        })
    }

    /// Adds `<id>.json` to the top-level zip and to each ecosystem's.
    pub fn add(
        &mut self,
        id: &str,
        ecosystems: &[String],
        json: &[u8],
    ) -> Result<(), OsvExportError> {
        let name = format!("{id}.json");
        put(&mut self.all, &self.dir.join("all.zip"), &name, json)?;
        for ecosystem in ecosystems {
            let target = self.dir.join(ecosystem).join("all.zip");
            if !self.per.contains_key(ecosystem) {
                self.per.insert(ecosystem.clone(), open_zip(&target)?);
            }
            let (zip, _) = self.per.get_mut(ecosystem).expect("just inserted");
            put(zip, &target, &name, json)?;
        }
        Ok(())
    }

    /// Finishes every zip into `pending`.
    pub fn finish(self, pending: &mut Pending) -> Result<Vec<String>, OsvExportError> {
        let ecosystems = self.per.keys().cloned().collect();
        let mut all = vec![(self.all, self.all_file, self.dir.join("all.zip"))];
        for (ecosystem, (zip, file)) in self.per {
            all.push((zip, file, self.dir.join(ecosystem).join("all.zip")));
        }
        for (zip, file, target) in all {
            let mut writer = zip.finish().map_err(|e| OsvExportError::zip(&target, e))?;
            writer.flush().map_err(OsvExportError::io(&target))?;
            pending.files.push((file, target));
        }
        Ok(ecosystems)
    }
}

fn put(
    zip: &mut zip::ZipWriter<BufWriter<File>>,
    target: &Path,
    name: &str,
    json: &[u8],
) -> Result<(), OsvExportError> {
    zip.start_file(name, options())
        .map_err(|e| OsvExportError::zip(target, e))?;
    zip.write_all(json).map_err(OsvExportError::io(target))
}
