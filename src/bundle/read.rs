//! Reading a bundle in the order trust allows. [`open`] reads only the
//! manifest and the envelope (both capped) and checks the envelope pins the
//! manifest; nothing in the manifest is trusted yet. A [`VerifiedBundle`]
//! exists only through a signature proof or an explicit skip, and only it can
//! [`spool`](VerifiedBundle::spool) the rows (or [`check`](VerifiedBundle::check)
//! them as they stream, keeping none): each member is checked against the
//! manifest (its header, its bytes and its body frame, `member.rs`) as it
//! streams, then the trailer and the end of input, and the whole compressed
//! input is hashed.

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Read};
use std::path::Path;

use super::TrustedPublicKey;
use super::check::RowCheck;
use super::envelope::Envelope;
use super::member::{Position, spool_member};
use super::records::SpooledBundle;
use super::sink::{Counted, MemberSink};
use super::stream::TarStream;
use super::tally::LineCounter;
use super::{
    BundleError, Limits, MANIFEST_PATH, Manifest, Member, SignatureError, SignatureProof, feed,
};
use crate::model::sha256_tagged;

use super::path::KNOWN;

/// A bundle whose manifest has been read but is not trusted yet.
pub struct UnverifiedBundle<'a> {
    stream: TarStream<'a>,
    manifest: Manifest,
    manifest_bytes: Vec<u8>,
    manifest_sha256: String,
    envelope: Envelope,
    max_line: u64,
    max_field: u64,
}

/// A bundle whose signature verified, or whose check the caller skipped.
pub struct VerifiedBundle<'a> {
    inner: UnverifiedBundle<'a>,
    signer_key_id: Option<String>,
    proof_matches: bool,
}

/// Reads the frame header, `MANIFEST.json` and `SIGNATURE.json`.
pub fn open<'a>(
    input: Box<dyn Read + 'a>,
    limits: &Limits,
) -> Result<UnverifiedBundle<'a>, BundleError> {
    let mut stream = TarStream::start(input, limits)?;
    let (manifest_bytes, envelope_bytes) =
        stream.head(limits.max_manifest_bytes, limits.max_signature_bytes)?;
    let manifest_sha256 = sha256_tagged(&manifest_bytes);
    let envelope = Envelope::parse(&envelope_bytes, &manifest_sha256)?;
    let manifest = Manifest::parse(&manifest_bytes)?;
    let declared: u128 = manifest.files.iter().map(|f| u128::from(f.size)).sum();
    if declared > u128::from(limits.max_content_bytes) {
        return Err(BundleError::ContentTooLarge {
            declared,
            limit: limits.max_content_bytes,
        });
    }
    Ok(UnverifiedBundle {
        stream,
        manifest,
        manifest_bytes,
        manifest_sha256,
        envelope,
        max_line: limits.max_line_bytes,
        max_field: limits.max_field_bytes,
    })
}

impl<'a> UnverifiedBundle<'a> {
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn manifest_sha256(&self) -> &str {
        &self.manifest_sha256
    }

    pub fn signer_key_ids(&self) -> Vec<String> {
        self.envelope
            .signatures
            .iter()
            .map(|s| s.keyid.clone())
            .collect()
    }

    pub fn is_signed(&self) -> bool {
        !self.envelope.signatures.is_empty()
    }

    /// Checks the envelope against keys trusted for `manifest().site_id`.
    pub fn check_signature(
        &self,
        trusted: &[TrustedPublicKey],
    ) -> Result<SignatureProof, SignatureError> {
        self.envelope.check(
            &self.manifest_bytes,
            &self.manifest_sha256,
            &self.manifest.site_id,
            trusted,
        )
    }

    /// A proof of another bundle makes [`VerifiedBundle::spool`] fail.
    pub fn verified(self, proof: SignatureProof) -> VerifiedBundle<'a> {
        let proof_matches = proof.manifest_sha256() == self.manifest_sha256;
        VerifiedBundle {
            inner: self,
            signer_key_id: Some(proof.key_id().to_owned()),
            proof_matches,
        }
    }

    /// The caller records that it skipped the signature check.
    pub fn skip_signature(self) -> VerifiedBundle<'a> {
        VerifiedBundle {
            inner: self,
            signer_key_id: None,
            proof_matches: true,
        }
    }
}

impl VerifiedBundle<'_> {
    pub fn manifest(&self) -> &Manifest {
        &self.inner.manifest
    }

    pub fn signer_key_id(&self) -> Option<&str> {
        self.signer_key_id.as_deref()
    }

    /// Reads and checks the rest; keeps the NDJSON members in `dir` if given.
    pub fn spool(self, dir: Option<&Path>) -> Result<SpooledBundle, BundleError> {
        let max_line = self.inner.max_line;
        let spooled = self.walk(&mut |member| {
            let counter = LineCounter::new(member.path(), max_line);
            let Some(dir) = dir else {
                return Ok(Box::new(Counted::new(
                    counter,
                    io::sink(),
                    member.path().into(),
                )));
            };
            let path = dir.join(member.path());
            let file = File::create_new(&path).map_err(|source| BundleError::Spool {
                path: path.clone(),
                source,
            })?;
            Ok(Box::new(Counted::new(counter, BufWriter::new(file), path)))
        })?;
        Ok(spooled.kept_in(dir))
    }

    /// Reads and checks the rest, rows included, keeping nothing: this
    /// thread decodes, a second one tallies each member (its digest above
    /// all), a third checks the rows, with `scratch` (an empty directory) for
    /// what the checks set aside. The result has no rows to read.
    pub fn check(self, scratch: &Path) -> Result<SpooledBundle, BundleError> {
        let (max_line, max_field) = (self.inner.max_line, self.inner.max_field);
        let rows = RowCheck::new(scratch, max_field)?;
        std::thread::scope(|s| {
            let (tally, tally_rx) = feed::channel();
            let (check, check_rx) = feed::channel();
            let (reply_tx, tallies) = std::sync::mpsc::channel();
            let (spare_tx, spare) = std::sync::mpsc::channel();
            let back = (reply_tx, spare_tx.clone());
            s.spawn(move || feed::tally(tally_rx, back, max_line));
            let checker = s.spawn(move || feed::drain(check_rx, spare_tx, rows, max_line));
            let returns = feed::Returns { tallies, spare };
            let to = feed::Outlets { tally, check };
            let walked = self.walk(&mut |member| {
                let handoff = feed::Handoff::new(member, to.clone(), &returns);
                Ok(Box::new(handoff))
            });
            drop(to);
            let checked = checker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            // The bytes' verdict comes first: rows of a damaged bundle are
            // not worth reporting.
            let spooled = walked?;
            checked.map(|()| spooled)
        })
    }

    /// Reads and checks every member, decoding its bytes into the sink
    /// `sinks` makes for it, which also keeps its tally.
    fn walk(self, sinks: &mut Sinks<'_>) -> Result<SpooledBundle, BundleError> {
        if !self.proof_matches {
            return Err(BundleError::ProofMismatch);
        }
        let UnverifiedBundle {
            mut stream,
            manifest,
            manifest_sha256,
            max_line,
            max_field,
            ..
        } = self.inner;
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
        Ok(SpooledBundle::new(
            manifest,
            manifest_sha256,
            bundle_hash,
            self.signer_key_id,
            compressed_size,
            (max_line, max_field),
        ))
    }
}

/// Makes the sink each member's bytes go to.
type Sinks<'s> = dyn FnMut(Member) -> Result<Box<dyn MemberSink + 's>, BundleError> + 's;

impl fmt::Debug for UnverifiedBundle<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnverifiedBundle")
            .field("manifest", &self.manifest)
            .field("manifest_sha256", &self.manifest_sha256)
            .field("signer_key_ids", &self.signer_key_ids())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for VerifiedBundle<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedBundle")
            .field("manifest_sha256", &self.inner.manifest_sha256)
            .field("signer_key_id", &self.signer_key_id)
            .finish_non_exhaustive()
    }
}
