//! The canonical ustar encoding shared by writer and reader.
//!
//! A member is one 512-byte header built by [`canonical_header`] (ustar
//! magic, the path in the `name` field, size, mode 0644, mtime, uid and gid
//! 0, empty user and group names, type `0`, checksum set), its bytes, then
//! zeros up to the next 512-byte boundary. The archive ends with exactly two
//! zero blocks. The reader never trusts a header field it has not rebuilt:
//! it parses only the type, path and size, rebuilds the header it expects
//! and compares all 512 bytes.
//!
//! Invariant: writer and reader build a header one way only
//! ([`canonical_header`]); a header is accepted only byte for byte.

use tar::{EntryType, Header};

use super::path::ArchivePath;
use crate::bundle::error::BundleError;

pub(crate) const BLOCK: usize = 512;
pub(crate) const TRAILER: usize = 2 * BLOCK;

/// The one header a member with this path and size may have.
pub(crate) fn canonical_header(path: &ArchivePath, size: u64) -> [u8; BLOCK] {
    let mut h = Header::new_ustar();
    // ArchivePath is at most 100 bytes: it always fits the `name` field.
    for (dst, src) in h.as_old_mut().name.iter_mut().zip(path.as_str().bytes()) {
        *dst = src;
    }
    h.set_size(size);
    h.set_mode(0o644);
    h.set_mtime(0);
    h.set_uid(0);
    h.set_gid(0);
    h.set_entry_type(EntryType::Regular);
    h.set_cksum();
    *h.as_bytes()
}

/// Zero bytes after a member of `size` bytes.
pub(crate) fn padding(size: u64) -> usize {
    let rem = (size % BLOCK as u64) as usize;
    (BLOCK - rem) % BLOCK
}

/// Checks a header block read where `expected` must come; `earlier` are the
/// members already read. Returns the member size.
pub(crate) fn check_header(
    block: &[u8; BLOCK],
    expected: &'static str,
    earlier: &[&str],
) -> Result<u64, BundleError> {
    let h = Header::from_byte_slice(block);
    // The type first: a GNU long name or PAX header has a made-up path
    // (`././@LongLink`) that is better reported for what the entry is.
    let kind = h.entry_type();
    if !kind.is_file() {
        let name = h.path_bytes();
        return Err(BundleError::NotRegularFile {
            path: String::from_utf8_lossy(&name).escape_debug().to_string(),
            kind: kind_name(kind).into(),
        });
    }
    let path = ArchivePath::from_bytes(&h.path_bytes())?;
    if path.as_str() != expected {
        if earlier.contains(&path.as_str()) {
            return Err(BundleError::DuplicateMember {
                path: path.to_string(),
            });
        }
        return Err(BundleError::UnexpectedMember {
            found: path.to_string(),
            expected,
        });
    }
    let size = h
        .entry_size()
        .map_err(|_| BundleError::NonCanonicalHeader { path: expected })?;
    if canonical_header(&path, size) != *block {
        return Err(BundleError::NonCanonicalHeader { path: expected });
    }
    Ok(size)
}

fn kind_name(kind: EntryType) -> &'static str {
    match kind {
        EntryType::Symlink => "symbolic link",
        EntryType::Link => "hard link",
        EntryType::Directory => "directory",
        EntryType::Char | EntryType::Block => "device",
        EntryType::Fifo => "fifo",
        EntryType::XHeader | EntryType::XGlobalHeader => "pax extension header",
        EntryType::GNULongName | EntryType::GNULongLink | EntryType::GNUSparse => {
            "gnu extension header"
        }
        _ => "non-regular entry",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> ArchivePath {
        ArchivePath::new(p).unwrap()
    }

    #[test]
    fn header_is_ustar_with_fixed_metadata() {
        let block = canonical_header(&path("MANIFEST.json"), 1234);
        let h = Header::from_byte_slice(&block);
        assert_eq!(h.path_bytes().as_ref(), b"MANIFEST.json");
        assert_eq!(
            (h.size().unwrap(), h.mode().unwrap(), h.mtime().unwrap()),
            (1234, 0o644, 0)
        );
        assert_eq!((h.uid().unwrap(), h.gid().unwrap()), (0, 0));
        assert_eq!(block.get(257..265), Some(&b"ustar\x0000"[..]));
        assert_eq!(check_header(&block, "MANIFEST.json", &[]).unwrap(), 1234);
    }

    #[test]
    fn padding_rounds_up_to_blocks() {
        assert_eq!(
            [
                padding(0),
                padding(1),
                padding(511),
                padding(512),
                padding(513)
            ],
            [0, 511, 1, 0, 511]
        );
    }

    #[test]
    fn refuses_wrong_names_types_and_any_other_header_change() {
        let block = canonical_header(&path("SIGNATURE.json"), 10);
        assert!(matches!(
            check_header(&block, "MANIFEST.json", &[]),
            Err(BundleError::UnexpectedMember { found, expected: "MANIFEST.json" }) if found == "SIGNATURE.json"
        ));
        assert!(matches!(
            check_header(&block, "canonicals.ndjson", &["MANIFEST.json", "SIGNATURE.json"]),
            Err(BundleError::DuplicateMember { path }) if path == "SIGNATURE.json"
        ));
        let mut h = Header::from_byte_slice(&block).clone();
        h.set_entry_type(EntryType::Symlink);
        h.set_cksum();
        assert!(
            matches!(check_header(h.as_bytes(), "SIGNATURE.json", &[]), Err(BundleError::NotRegularFile { kind, .. }) if kind == "symbolic link")
        );
        let mut h = Header::from_byte_slice(&block).clone();
        h.set_mtime(1);
        h.set_cksum();
        assert!(matches!(
            check_header(h.as_bytes(), "SIGNATURE.json", &[]),
            Err(BundleError::NonCanonicalHeader {
                path: "SIGNATURE.json"
            })
        ));
    }
}
