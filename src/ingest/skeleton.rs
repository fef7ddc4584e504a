//! Skeleton versions (`fresh`): a converted version reduced to what the
//! per-record path reads of it while folding a canonical's writes, and
//! made whole again for the one version that is stored; the file of
//! version bodies ([`Bodies`]) they are made whole from.
//!
//! Invariants:
//! - A version's body is its canonical with `status` and `history`
//!   cleared (the fold sets both), serialized; its digest stands for it.
//! - A skeleton keeps the ids, merge hash, `modified` and edge of its
//!   version and puts the body's digest in `title`, every other field
//!   empty: `CanonicalRecord::same_content` of two skeletons is that of
//!   their versions (equal bodies, equal edges), and `History::next` sees
//!   the same `modified`.
//! - [`restore`] takes the fields from the body and the status, history
//!   and edges from the folded skeleton, and refuses a body of another
//!   merge hash.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;

use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::model::{Canonical, CanonicalRecord, Severity, SourceEdge, Status};

/// Where a body lies in the scratch file of bodies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Location {
    pub at: u64,
    pub len: usize,
}

/// The file of version bodies: appended to while records are staged, read
/// back at the places [`Bodies::append`] gave.
pub(super) struct Bodies {
    file: BufWriter<File>,
    len: u64,
}

impl Bodies {
    pub fn new(file: File) -> Bodies {
        Bodies {
            file: BufWriter::with_capacity(1 << 16, file),
            len: 0,
        }
    }

    pub fn append(&mut self, body: &[u8]) -> std::io::Result<Location> {
        let at = self.len;
        self.file.write_all(body)?;
        self.len += body.len() as u64;
        Ok(Location {
            at,
            len: body.len(),
        })
    }

    pub fn read(&mut self, at: &Location) -> std::io::Result<Vec<u8>> {
        self.file.flush()?;
        let mut buf = vec![0; at.len];
        self.file.get_ref().read_exact_at(&mut buf, at.at)?;
        Ok(buf)
    }
}

/// A version as the fold sees it, and where its body lies.
pub(super) struct Applied {
    pub record: CanonicalRecord,
    pub at: Location,
}

/// A staged version's columns.
pub(super) struct Row {
    pub hash: String,
    pub source: String,
    pub id: String,
    pub digest: Vec<u8>,
    pub modified: Option<String>,
    /// The canonical's id, the edge's id and the edge's canonical id.
    pub ids: Vec<u8>,
    pub vendor_status: String,
    pub sha: String,
}

/// The body of a version: `canonical` without status or history.
pub(super) fn body(canonical: &mut Canonical) -> serde_json::Result<Vec<u8>> {
    canonical.status = Status::Active;
    canonical.history = None;
    serde_json::to_vec(canonical)
}

pub(super) fn digest(body: &[u8]) -> Vec<u8> {
    Sha256::digest(body).to_vec()
}

/// The three ids of a version, for [`Row::ids`].
pub(super) fn ids(canonical: &Canonical, edge: &SourceEdge) -> Vec<u8> {
    [canonical.id, edge.id, edge.canonical_id]
        .iter()
        .flat_map(|id| *id.as_bytes())
        .collect()
}

/// The skeleton of a staged version.
pub(super) fn record(row: Row) -> Result<CanonicalRecord, String> {
    let id = |n: usize| {
        row.ids
            .get(n * 16..n * 16 + 16)
            .and_then(|b| Uuid::from_slice(b).ok())
            .ok_or_else(|| format!("ids of {} are {} bytes", row.hash, row.ids.len()))
    };
    let edge = SourceEdge {
        id: id(1)?,
        canonical_id: id(2)?,
        merge_hash: row.hash.clone(),
        source: row.source,
        source_advisory_id: row.id,
        vendor_status: row.vendor_status,
        source_sha256: row.sha,
    };
    let canonical = Canonical {
        id: id(0)?,
        cve: String::new(),
        affects_key: String::new(),
        merge_hash: row.hash,
        status: Status::Active,
        severity: Severity::Unknown,
        title: hex::encode(&row.digest),
        summary: String::new(),
        cvss_vector: None,
        version_range: vec![],
        weaknesses: vec![],
        patch_lineage: vec![],
        published: None,
        modified: row.modified,
        history: None,
    };
    Ok(CanonicalRecord {
        canonical,
        edges: vec![edge],
    })
}

/// The stored version: `body`'s fields with the folded skeleton's status,
/// history and edges.
pub(super) fn restore(folded: CanonicalRecord, body: Canonical) -> Result<CanonicalRecord, String> {
    if body.merge_hash != folded.canonical.merge_hash || body.id != folded.canonical.id {
        return Err(format!(
            "the body of {} is one of {}",
            folded.canonical.merge_hash, body.merge_hash
        ));
    }
    let canonical = Canonical {
        status: folded.canonical.status,
        history: folded.canonical.history,
        ..body
    };
    Ok(CanonicalRecord {
        canonical,
        edges: folded.edges,
    })
}
