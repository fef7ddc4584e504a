//! `modified_id.csv`: the records an export wrote, newest first, then by
//! id, at the top (`<modified>,<Ecosystem>/<ID>`) and per ecosystem
//! (`<modified>,<ID>`), sorted in bounded memory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{OsvExportError, spill, write};

/// The records written, for `modified_id.csv`: sorted newest first, then
/// by id, in bounded memory.
pub struct Listed {
    dir: PathBuf,
    sorter: spill::Sorter,
    pub ecosystems: std::collections::BTreeSet<String>,
}

impl Listed {
    pub fn new(dir: &Path) -> Listed {
        Listed {
            dir: dir.to_owned(),
            sorter: spill::Sorter::new(16 << 20, dir),
            ecosystems: Default::default(),
        }
    }

    /// Sorts by `modified` descending (its bytes inverted, then 0xFF, so a
    /// shorter time is not taken for an earlier one), then `id`.
    pub fn push<'e>(
        &mut self,
        modified: &str,
        id: &str,
        ecosystems: impl Iterator<Item = &'e str> + Clone,
    ) -> Result<(), OsvExportError> {
        let entry = |entry: &mut Vec<u8>| {
            entry.extend(modified.bytes().map(|b| !b));
            entry.push(0xFF);
            for part in [id, modified] {
                entry.extend_from_slice(part.as_bytes());
                entry.push(0);
            }
            for part in ecosystems.clone() {
                entry.extend_from_slice(part.as_bytes());
                entry.push(0);
            }
        };
        self.sorter
            .push_with(entry)
            .map_err(OsvExportError::io(&self.dir))?;
        for ecosystem in ecosystems {
            if !self.ecosystems.contains(ecosystem) {
                self.ecosystems.insert(ecosystem.to_owned());
            }
        }
        Ok(())
    }

    /// `modified_id.csv` at the top (`<modified>,<Ecosystem>/<ID>`) and in
    /// each of `ecosystems` (`<modified>,<ID>`).
    pub fn write(
        self,
        ecosystems: &[String],
        pending: &mut write::Pending,
    ) -> Result<(), OsvExportError> {
        let mut top = write::Lines::new(self.dir.join("modified_id.csv"))?;
        let mut per: BTreeMap<&str, write::Lines> = BTreeMap::new();
        for e in ecosystems {
            per.insert(
                e,
                write::Lines::new(self.dir.join(e).join("modified_id.csv"))?,
            );
        }
        let broken = || OsvExportError::io(&self.dir);
        let mut sorted = self.sorter.finish().map_err(broken())?;
        let mut entry = Vec::new();
        while sorted.next_into(&mut entry).map_err(broken())? {
            let at = entry.iter().position(|b| *b == 0xFF).unwrap_or_default();
            let text = String::from_utf8_lossy(&entry[at + 1..]);
            let mut parts = text.split('\0');
            let (id, modified) = (
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
            );
            for ecosystem in parts.filter(|p| !p.is_empty()) {
                top.line(&[modified, ",", ecosystem, "/", id])?;
                if let Some(lines) = per.get_mut(ecosystem) {
                    lines.line(&[modified, ",", id])?;
                }
            }
        }
        top.finish(pending)?;
        for lines in per.into_values() {
            lines.finish(pending)?;
        }
        Ok(())
    }
}
