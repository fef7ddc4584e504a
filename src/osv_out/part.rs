//! What one canonical gives each OSV record it belongs to, worked out once
//! per canonical: its JSON fragments already serialized, and the few raw
//! values a record still combines across its canonicals.
//!
//! A canonical with edges to three advisory ids is in three records; the
//! export reads its part back for each of them (from the scratch file of
//! `groups`) and only concatenates, so no record parses or serializes a
//! canonical again. Encoded as length-prefixed fields in a fixed order;
//! [`Part::decode`] borrows from the encoded bytes.
//!
//! Invariant: the fragments are what the serde structs of `record` give for
//! the canonical, so the records' bytes are the same as if they had been
//! serialized whole.

use std::io;

use super::ecosystem::{directory_of, package_of};
use super::fields::{derived_title, severity, words};
use super::record::{Affected, DatabaseSpecific, Package, RangeOut};
use crate::cursor::Cursor;
use crate::model::{Canonical, RangeEvent, Status};

/// When the record's `summary` is the canonical's title.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Summary {
    /// The title is what ingest derives from the details: left out.
    Never,
    Always,
    /// The details have no first line, so ingest derives the record id.
    UnlessId,
}

/// One canonical's share of a record, borrowed from its encoding.
#[derive(Debug)]
pub struct Part<'a> {
    pub cursor: &'a str,
    pub withdrawn: bool,
    /// The advisory id of its edge when it has exactly one.
    pub sole_id: Option<&'a str>,
    pub cve: &'a str,
    pub affects_key: &'a str,
    /// The export directory of its package's ecosystem.
    pub directory: &'a str,
    /// `{"package":…,"ranges":…}`.
    pub affected: &'a [u8],
    /// The repository of its first GIT range that names one.
    pub git_repo: Option<&'a str>,
    /// Fix commits that no GIT `fixed` event of its own gives, sorted.
    pub commits: Vec<&'a str>,
    /// `modified`, else the time of its cursor.
    pub modified: &'a str,
    /// The JSON strings (quoted, escaped) of the record-wide fields;
    /// empty when the field is left out.
    pub published: &'a [u8],
    pub summary: Summary,
    pub title: &'a [u8],
    pub details: &'a [u8],
    /// `[…]` of `severity` and `{…}` of `database_specific`, or empty.
    pub severity: &'a [u8],
    pub database_specific: &'a [u8],
}

/// The encoded part of canonical `c`, whose last change is `cursor` and
/// whose edges have the advisory ids `edge_ids` (one per edge).
pub fn encode(cursor: Cursor, c: &Canonical, edge_ids: &[impl AsRef<str>], out: &mut Vec<u8>) {
    let mut e = Encoder(out);
    e.str(&cursor.to_string());
    e.flag(c.status == Status::Withdrawn);
    match edge_ids {
        [only] => e.some(only.as_ref()),
        _ => e.none(),
    }
    e.str(&c.cve);
    e.str(&c.affects_key);
    let (ecosystem, name) = package_of(&c.affects_key);
    e.str(directory_of(&ecosystem));
    e.json(&Affected {
        package: Package {
            ecosystem,
            name,
            purl: &c.affects_key,
        },
        ranges: c.version_range.iter().map(RangeOut::of).collect(),
    });
    let git = || c.version_range.iter().filter(|r| r.range_type == "GIT");
    match git().find_map(|r| r.repo.as_deref()) {
        Some(repo) => e.some(repo),
        None => e.none(),
    }
    let fixed = |commit: &&String| {
        !git()
            .flat_map(|r| &r.events)
            .any(|ev| matches!(ev, RangeEvent::Fixed(f) if f == *commit))
    };
    let commits: Vec<&String> = c.patch_lineage.iter().filter(fixed).collect();
    e.len(commits.len());
    commits.into_iter().for_each(|commit| e.str(commit));
    match &c.modified {
        Some(modified) => e.str(modified),
        None => e.str(&format!("{:.3}", cursor.timestamp())),
    }
    e.optional_json(c.published.as_ref());
    let first_line = derived_title(&c.summary, "");
    e.flag_byte(match () {
        () if first_line.is_empty() => 2,
        () if first_line != c.title => 1,
        () => 0,
    });
    e.json(&c.title);
    e.optional_json(Some(&c.summary).filter(|s| !s.is_empty()));
    let severity = severity(c.cvss_vector.as_deref());
    e.optional_json(Some(&severity).filter(|s| !s.is_empty()));
    let database_specific = DatabaseSpecific {
        severity: c.cvss_vector.is_none().then(|| words(c.severity)).flatten(),
        cwe_ids: &c.weaknesses,
    };
    e.optional_json(Some(&database_specific).filter(|d| !d.is_empty()));
}

impl<'a> Part<'a> {
    /// Reads back what [`encode`] wrote.
    pub fn decode(bytes: &'a [u8]) -> io::Result<Part<'a>> {
        let mut d = Decoder(bytes);
        let cursor = d.str()?;
        let withdrawn = d.byte()? == 1;
        let sole_id = d.optional_str()?;
        let (cve, affects_key, directory) = (d.str()?, d.str()?, d.str()?);
        let affected = d.bytes()?;
        let git_repo = d.optional_str()?;
        let commits = (0..d.u32()?).map(|_| d.str()).collect::<io::Result<_>>()?;
        let (modified, published) = (d.str()?, d.bytes()?);
        let summary = match d.byte()? {
            0 => Summary::Never,
            1 => Summary::Always,
            _ => Summary::UnlessId,
        };
        Ok(Part {
            cursor,
            withdrawn,
            sole_id,
            cve,
            affects_key,
            directory,
            affected,
            git_repo,
            commits,
            modified,
            published,
            summary,
            title: d.bytes()?,
            details: d.bytes()?,
            severity: d.bytes()?,
            database_specific: d.bytes()?,
        })
    }
}

struct Encoder<'a>(&'a mut Vec<u8>);

impl Encoder<'_> {
    fn len(&mut self, len: usize) {
        let len = u32::try_from(len).expect("a canonical's field is under 4 GiB");
        self.0.extend_from_slice(&len.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }
    fn flag_byte(&mut self, b: u8) {
        self.0.push(b);
    }
    fn flag(&mut self, b: bool) {
        self.flag_byte(u8::from(b));
    }
    fn some(&mut self, s: &str) {
        self.flag(true);
        self.str(s);
    }
    fn none(&mut self) {
        self.flag(false);
    }
    /// `value` as JSON, length first.
    fn json(&mut self, value: &impl serde::Serialize) {
        let at = self.0.len();
        self.len(0);
        serde_json::to_writer(&mut *self.0, value).expect("a fragment serializes");
        let len = u32::try_from(self.0.len() - at - 4).expect("a fragment is under 4 GiB");
        self.0[at..at + 4].copy_from_slice(&len.to_le_bytes());
    }
    fn optional_json(&mut self, value: Option<&impl serde::Serialize>) {
        match value {
            Some(value) => self.json(value),
            None => self.len(0),
        }
    }
}

struct Decoder<'a>(&'a [u8]);

impl<'a> Decoder<'a> {
    fn take(&mut self, n: usize) -> io::Result<&'a [u8]> {
        if self.0.len() < n {
            return Err(io::Error::other("a spilled canonical is cut short"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn byte(&mut self) -> io::Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> io::Result<u32> {
        let bytes = self.take(4)?.try_into().expect("4 bytes");
        Ok(u32::from_le_bytes(bytes))
    }
    fn bytes(&mut self) -> io::Result<&'a [u8]> {
        let len = self.u32()? as usize;
        self.take(len)
    }
    fn str(&mut self) -> io::Result<&'a str> {
        std::str::from_utf8(self.bytes()?).map_err(io::Error::other)
    }
    fn optional_str(&mut self) -> io::Result<Option<&'a str>> {
        Ok(match self.byte()? {
            0 => None,
            _ => Some(self.str()?),
        })
    }
}
