//! A bundle its reader may take the rows of: [`VerifiedBundle::spool`]
//! reads and checks the rest of the archive, keeping the NDJSON members in a
//! directory for [`SpooledBundle`]'s records. Below it, [`Reader`] walks the
//! members (`member.rs`) into whatever sinks the caller chose: spool files,
//! or the thread that checks rows without keeping them (`feed.rs`).
//!
//! Invariants: a [`VerifiedBundle`] is only made by `open.rs` (a verified
//! signature or a granted skip); the whole compressed input is hashed and
//! every member is held to the manifest before a result is returned.

use std::fmt;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use super::checked::CheckedBundle;
use super::feed;
use super::member::{Position, spool_member};
use super::spooled::SpooledBundle;
use super::stream::TarStream;
use crate::bundle::error::BundleError;
use crate::bundle::format::manifest::Manifest;
use crate::bundle::format::members::{KNOWN, MANIFEST_PATH, Member};
use crate::bundle::io::tally::{Counted, LineCounter, MemberSink};
use crate::bundle::rows::check::RowCheck;

/// A bundle whose signature verified, or whose check the policy let skip.
pub struct VerifiedBundle<'a> {
    reader: Reader<'a>,
    signer_key_id: Option<String>,
}

/// What is left to read of an opened bundle, and what it was opened with.
pub(super) struct Reader<'a> {
    pub(super) stream: TarStream<'a>,
    pub(super) manifest: Manifest,
    pub(super) manifest_sha256: String,
    /// Caps of one line and of one JSON string in it.
    pub(super) caps: (u64, u64),
}

/// Makes the sink each member's bytes go to.
type Sinks<'s> = dyn FnMut(Member) -> Result<Box<dyn MemberSink + 's>, BundleError> + 's;

impl<'a> VerifiedBundle<'a> {
    pub(super) fn new(reader: Reader<'a>, signer_key_id: Option<String>) -> Self {
        Self {
            reader,
            signer_key_id,
        }
    }

    pub fn manifest(&self) -> &Manifest {
        &self.reader.manifest
    }

    pub fn signer_key_id(&self) -> Option<&str> {
        self.signer_key_id.as_deref()
    }

    /// Reads and checks the rest, keeping the NDJSON members in `dir` (an
    /// empty directory) for the records to be read from.
    pub fn spool(self, dir: &Path) -> Result<SpooledBundle, BundleError> {
        let max_line = self.reader.caps.0;
        let checked = self.reader.walk(self.signer_key_id, &mut |member| {
            let counter = LineCounter::new(member.path(), max_line);
            let path = dir.join(member.path());
            let file = File::create_new(&path).map_err(|source| BundleError::Spool {
                path: path.clone(),
                source,
            })?;
            Ok(Box::new(Counted::new(counter, BufWriter::new(file), path)))
        })?;
        Ok(SpooledBundle::new(checked, dir))
    }

    /// Reads and checks every byte, but not the rows, keeping nothing.
    #[cfg(test)]
    pub(crate) fn check_bytes(self) -> Result<CheckedBundle, BundleError> {
        let max_line = self.reader.caps.0;
        self.reader.walk(self.signer_key_id, &mut |member| {
            let counter = LineCounter::new(member.path(), max_line);
            let path = member.path().into();
            Ok(Box::new(Counted::new(counter, std::io::sink(), path)))
        })
    }
}

impl Reader<'_> {
    /// Decodes and tallies every member here, and checks its rows on
    /// another thread ([`feed`]).
    pub(super) fn check(self, scratch: &Path) -> Result<CheckedBundle, BundleError> {
        let (max_line, max_field) = self.caps;
        let rows = RowCheck::new(scratch, max_field)?;
        std::thread::scope(|s| {
            let (check, check_rx) = feed::channel();
            let (spare_tx, spare) = std::sync::mpsc::channel();
            let checker = s.spawn(move || feed::drain(check_rx, spare_tx, rows, max_line));
            let walked = self.walk(None, &mut |member| {
                let handoff = feed::Handoff::new(member, max_line, check.clone(), &spare);
                Ok(Box::new(handoff))
            });
            drop(check);
            let checked = checker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            // The bytes' verdict comes first: rows of a damaged bundle are
            // not worth reporting.
            let walked = walked?;
            checked.map(|()| walked)
        })
    }

    /// Reads and checks every member, decoding its bytes into the sink
    /// `sinks` makes for it, which also keeps its tally.
    fn walk(
        self,
        signer_key_id: Option<String>,
        sinks: &mut Sinks<'_>,
    ) -> Result<CheckedBundle, BundleError> {
        let Reader {
            mut stream,
            manifest,
            manifest_sha256,
            caps,
        } = self;
        stream.verify_head(manifest.zstd_level)?;
        let mut previous = None;
        for (i, member) in Member::ALL.into_iter().enumerate() {
            let earlier = KNOWN.get(..i + 2).unwrap_or_default();
            let at = Position { earlier, previous };
            let mut sink = sinks(member)?;
            let size = spool_member(&mut stream, &manifest, member, at, sink.as_mut())?;
            previous = Some((member.path(), size));
        }
        let last = previous.unwrap_or((MANIFEST_PATH, 0));
        let (bundle_hash, compressed_size) = stream.finish(last)?;
        Ok(CheckedBundle {
            manifest,
            manifest_sha256,
            bundle_hash,
            signer_key_id,
            compressed_size,
            caps,
        })
    }
}

impl fmt::Debug for VerifiedBundle<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedBundle")
            .field("manifest_sha256", &self.reader.manifest_sha256)
            .field("signer_key_id", &self.signer_key_id)
            .finish_non_exhaustive()
    }
}
