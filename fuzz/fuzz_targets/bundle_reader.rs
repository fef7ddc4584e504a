//! `bundle_reader`: untrusted bytes through the whole reader, the way an
//! import takes them: `open` (zstd frame, tar headers, manifest, envelope)
//! → `skip_signature` (as a site that does not require signatures allows)
//! → `spool` (every member checked while spooled, the
//! small frames' re-encodings and the body frames' digests compared) → every record and deletion.
//!
//! The first input byte picks the mode. Even: the rest is the bundle as
//! transferred. Odd: the rest is up to three NDJSON members separated by
//! `0xFF`, and the harness wraps them in a canonical unsigned bundle (frames
//! laid out as the format says) with a matching manifest, so the row parsers and the merge-join are reached
//! (blind mutation of compressed bytes almost never gets past the digests).
//!
//! Invariants checked: when every row reads back, the row counts are the
//! manifest's counts; and checking the rows as they stream (`check`, what
//! `validate` runs) refuses exactly the bundles that reading the spooled
//! records refuses (which error comes first may differ when a bundle has
//! several faults: the stream meets all canonicals before any edge).
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use stella::bundle::{
    ArchivePath, Counts, FORMAT_VERSION, FileEntry, Limits, Manifest, Member, PAYLOAD_TYPE,
};
use stella::model::sha256_tagged;
use stella::trust::{SignaturePolicy, SignatureSkip};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        read(rest);
    } else if let Some(bundle) = assemble(rest) {
        read(&bundle);
    }
});

fn limits() -> Limits {
    Limits {
        max_bundle_bytes: 1 << 20,
        max_manifest_bytes: 4 << 10,
        max_signature_bytes: 4 << 10,
        max_line_bytes: 16 << 10,
        max_window_log: 22,
        ..Limits::default()
    }
}

fn read(bytes: &[u8]) {
    let rows_read = read_records(bytes);
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let streamed = stella::bundle::open(Box::new(bytes), &limits())
        .and_then(|b| b.check(scratch.path()))
        .is_ok();
    assert_eq!(streamed, rows_read, "the streaming check disagrees");
}

/// Leave to read a bundle unsigned, as a site that does not require
/// signatures grants it.
fn skip() -> SignatureSkip {
    let optional = SignaturePolicy {
        require_signature: false,
        skip_on_trusted_sites: false,
    };
    optional.unsigned().expect("signatures are optional")
}

/// Reads every record and deletion back, as an import does: whether all of
/// them read.
fn read_records(bytes: &[u8]) -> bool {
    let Ok(bundle) = stella::bundle::open(Box::new(bytes), &limits()) else {
        return false;
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let Ok(spooled) = bundle.skip_signature(skip()).spool(dir.path()) else {
        return false;
    };
    let counts = spooled.manifest().counts;
    let (mut canonicals, mut edges, mut all_ok) = (0u64, 0u64, true);
    for record in spooled.records().expect("a spooled bundle has records") {
        match record {
            Ok(r) => {
                canonicals += 1;
                edges += r.edges.len() as u64;
            }
            Err(_) => all_ok = false,
        }
    }
    if all_ok {
        assert_eq!((canonicals, edges), (counts.canonicals, counts.edges));
    }
    let deletions = spooled.deletions().expect("a spooled bundle has deletions");
    let results: Vec<_> = deletions.collect();
    if results.iter().all(Result::is_ok) {
        assert_eq!(results.len() as u64, counts.deletions);
    }
    all_ok && results.iter().all(Result::is_ok)
}

/// A canonical unsigned bundle (level 1) around the given member bytes, in
/// the format's frame layout: head, then per member a joint frame and a body
/// frame (none when empty), then the last frame.
fn assemble(members: &[u8]) -> Option<Vec<u8>> {
    let mut parts = members.splitn(3, |b| *b == 0xFF);
    let bodies: [&[u8]; 3] = std::array::from_fn(|_| parts.next().unwrap_or_default());
    let mut frames = Vec::new();
    for body in bodies {
        frames.push(if body.is_empty() {
            Vec::new()
        } else {
            frame(body)?
        });
    }
    let manifest = manifest_for(&bodies, &frames)?.to_bytes().ok()?;
    let envelope = format!(
        r#"{{"payloadType":"{PAYLOAD_TYPE}","payloadDigest":"{}","signatures":[]}}"#,
        sha256_tagged(&manifest)
    );
    let mut head = Vec::new();
    for (path, data) in [
        ("MANIFEST.json", &manifest[..]),
        ("SIGNATURE.json", envelope.as_bytes()),
    ] {
        head.extend_from_slice(&header(path, data.len())?);
        head.extend_from_slice(data);
        head.resize(head.len().div_ceil(512) * 512, 0);
    }
    let mut out = frame(&head)?;
    let mut padding = 0;
    for ((m, body), body_frame) in Member::ALL.into_iter().zip(bodies).zip(&frames) {
        let mut joint = vec![0u8; padding];
        joint.extend_from_slice(&header(m.path(), body.len())?);
        out.extend(frame(&joint)?);
        out.extend_from_slice(body_frame);
        padding = (512 - body.len() % 512) % 512;
    }
    let mut last = vec![0u8; padding];
    last.extend_from_slice(&[0u8; 1024]);
    out.extend(frame(&last)?);
    Some(out)
}

/// One frame with the canonical parameters at level 1.
fn frame(data: &[u8]) -> Option<Vec<u8>> {
    let mut enc = zstd::Encoder::new(Vec::new(), 1).ok()?;
    enc.multithread(1).ok()?;
    enc.include_checksum(true).ok()?;
    enc.include_contentsize(false).ok()?;
    enc.include_dictid(false).ok()?;
    enc.long_distance_matching(false).ok()?;
    enc.window_log(22).ok()?;
    enc.write_all(data).ok()?;
    enc.finish().ok()
}

fn manifest_for(bodies: &[&[u8]; 3], frames: &[Vec<u8>]) -> Option<Manifest> {
    let lines = bodies.map(|b| b.iter().filter(|c| **c == b'\n').count() as u64);
    let mut files = Vec::new();
    for ((m, body), frame) in Member::ALL.into_iter().zip(bodies).zip(frames) {
        files.push(FileEntry {
            path: ArchivePath::new(m.path()).ok()?,
            sha256: sha256_tagged(body),
            size: body.len() as u64,
            lines: lines[files.len()],
            compressed_sha256: sha256_tagged(frame),
            compressed_size: frame.len() as u64,
        });
    }
    Some(Manifest {
        version: FORMAT_VERSION.to_owned(),
        site_id: "site-fuzz".to_owned(),
        since_cursor: None,
        export_cursor: "2025-01-15T10:30:00.000Z#0042".parse().ok()?,
        exported_at: "2025-01-15T10:30:00.000Z".to_owned(),
        counts: Counts {
            canonicals: lines[0],
            edges: lines[1],
            deletions: lines[2],
            total: lines.iter().sum(),
        },
        files,
        zstd_level: 1,
    })
}

/// The canonical ustar header of a member.
fn header(path: &str, size: usize) -> Option<[u8; 512]> {
    let mut h = tar::Header::new_ustar();
    for (dst, src) in h.as_old_mut().name.iter_mut().zip(path.bytes()) {
        *dst = src;
    }
    h.set_size(size as u64);
    h.set_mode(0o644);
    h.set_mtime(0);
    h.set_uid(0);
    h.set_gid(0);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    h.as_bytes().get(..512)?.try_into().ok()
}
