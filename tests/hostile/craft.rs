//! Hand-made bundles, built without stella's own code so that a bug in its
//! writer cannot hide the same bug in its reader: ustar headers byte by byte,
//! the manifest with `format!`, the envelope signed here with the throwaway
//! test key in `fixtures/keys/`, and the canonical zstd frames (head, joints,
//! bodies, last) with the zstd crate directly. The rows come from the
//! committed test vector.
//!
//! Invariant: [`Craft::vector`] unchanged rebuilds `vector-1.tar.zst` byte
//! for byte (`craft_rebuilds_the_test_vector`), so each test's bundle differs
//! from a valid signed bundle only by the attack it makes.

use std::io::{Read, Write};

use base64::Engine as _;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::{DecodePrivateKey, EncodePublicKey};
use sha2::{Digest, Sha256};

pub const PAYLOAD_TYPE: &str = "application/vnd.stella.feedser-manifest+json;version=1.0";
pub const NDJSON: [&str; 3] = ["canonicals.ndjson", "edges.ndjson", "deletions.ndjson"];
pub const REGULAR: u8 = b'0';

/// One tar entry: name, type flag, data; `link` fills the linkname field.
#[derive(Clone, Debug)]
pub struct Entry {
    pub name: Vec<u8>,
    pub kind: u8,
    pub data: Vec<u8>,
    pub link: Vec<u8>,
}

pub fn entry(name: &str, data: Vec<u8>) -> Entry {
    Entry {
        name: name.as_bytes().to_vec(),
        kind: REGULAR,
        data,
        link: Vec::new(),
    }
}

/// The vector's rows and manifest fields, editable.
#[derive(Clone)]
pub struct Craft {
    pub since_cursor: Option<String>,
    /// The three NDJSON members, in archive order.
    pub rows: [Vec<u8>; 3],
}

pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

pub fn test_key() -> SigningKey {
    let pem = std::fs::read_to_string(crate::harness::fixture("keys/test-federation.key.pem"));
    SigningKey::from_pkcs8_pem(&pem.expect("test key")).expect("PKCS#8 test key")
}

/// `sha256:` of the key's SPKI DER.
pub fn key_id(key: &SigningKey) -> String {
    let der = key.verifying_key().to_public_key_der().expect("SPKI DER");
    sha256(der.as_bytes())
}

pub fn pae(payload_type: &str, body: &[u8]) -> Vec<u8> {
    let head = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        body.len()
    );
    [head.as_bytes(), body].concat()
}

/// A compact envelope with one signature over `signed` (often the manifest).
pub fn envelope(payload_type: &str, digest: &str, key_id: &str, sig: &[u8]) -> Vec<u8> {
    let sig = base64::engine::general_purpose::STANDARD.encode(sig);
    format!(
        r#"{{"payloadType":"{payload_type}","payloadDigest":"{digest}","signatures":[{{"keyid":"{key_id}","sig":"{sig}"}}]}}"#
    )
    .into_bytes()
}

pub fn sign(key: &SigningKey, payload_type: &str, body: &[u8]) -> Vec<u8> {
    let sig: Signature = key.sign(&pae(payload_type, body));
    sig.to_der().as_bytes().to_vec()
}

impl Craft {
    /// The rows of `fixtures/bundles/vector-1.tar.zst`, as a full export.
    pub fn vector() -> Craft {
        let path = crate::harness::fixture("bundles/vector-1.tar.zst");
        let mut tar = Vec::new();
        zstd::stream::read::Decoder::new(std::fs::File::open(path).expect("vector"))
            .expect("zstd")
            .read_to_end(&mut tar)
            .expect("decode vector");
        let members = split(&tar);
        Craft {
            since_cursor: None,
            rows: [2, 3, 4].map(|i| members[i].clone()),
        }
    }

    /// The canonical manifest of these rows.
    pub fn manifest(&self) -> Vec<u8> {
        let lines = self
            .rows
            .each_ref()
            .map(|r| r.iter().filter(|b| **b == b'\n').count());
        let files: Vec<String> = NDJSON
            .iter()
            .zip(&self.rows)
            .zip(lines)
            .map(|((path, data), lines)| {
                let (sha, size) = (sha256(data), data.len());
                let body = body_frame(data);
                let (zsha, zsize) = (sha256(&body), body.len());
                format!(
                    r#"{{"path":"{path}","sha256":"{sha}","size":{size},"lines":{lines},"compressed_sha256":"{zsha}","compressed_size":{zsize}}}"#
                )
            })
            .collect();
        let since = match &self.since_cursor {
            Some(c) => format!("\"{c}\""),
            None => "null".into(),
        };
        let [c, e, d] = lines;
        format!(
            r#"{{"version":"feedser-bundle/1.0","site_id":"site-a","since_cursor":{since},"export_cursor":"2025-01-15T10:30:00.000Z#0042","exported_at":"2025-01-15T10:30:00.000Z","counts":{{"canonicals":{c},"edges":{e},"deletions":{d},"total":{}}},"files":[{}],"zstd_level":3}}"#,
            c + e + d,
            files.join(",")
        )
        .into_bytes()
    }

    /// The five entries with `manifest` signed by the test key.
    pub fn signed(&self, manifest: Vec<u8>) -> Vec<Entry> {
        let key = test_key();
        let sig = sign(&key, PAYLOAD_TYPE, &manifest);
        let env = envelope(PAYLOAD_TYPE, &sha256(&manifest), &key_id(&key), &sig);
        self.with_envelope(manifest, env)
    }

    /// The five entries with the given manifest and envelope bytes.
    pub fn with_envelope(&self, manifest: Vec<u8>, envelope: Vec<u8>) -> Vec<Entry> {
        let mut out = vec![
            entry("MANIFEST.json", manifest),
            entry("SIGNATURE.json", envelope),
        ];
        out.extend(
            NDJSON
                .iter()
                .zip(&self.rows)
                .map(|(n, d)| entry(n, d.clone())),
        );
        out
    }

    /// The valid signed entries.
    pub fn entries(&self) -> Vec<Entry> {
        self.signed(self.manifest())
    }

    /// The valid signed bundle.
    pub fn bundle(&self) -> Vec<u8> {
        pack(&self.entries())
    }
}

/// The data of each member of an archive (headers trusted: our own vector).
fn split(tar: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut at = 0;
    while tar[at] != 0 {
        let field = std::str::from_utf8(&tar[at + 124..at + 135]).expect("octal size");
        let size = usize::from_str_radix(field, 8).expect("octal size");
        out.push(tar[at + 512..at + 512 + size].to_vec());
        at += 512 + size.div_ceil(512) * 512;
    }
    out
}

/// `value` in octal, zero padded, NUL terminated, right aligned in `field`.
fn octal(field: &mut [u8], value: u64) {
    let width = field.len() - 1;
    let digits = format!("{value:0width$o}");
    field[..width].copy_from_slice(digits.as_bytes());
    field[width] = 0;
}

/// A ustar header: mode 0644, mtime/uid/gid 0, empty user and group names.
pub fn header(e: &Entry) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..e.name.len()].copy_from_slice(&e.name);
    octal(&mut h[100..108], 0o644);
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], e.data.len() as u64);
    octal(&mut h[136..148], 0);
    h[156] = e.kind;
    h[157..157 + e.link.len()].copy_from_slice(&e.link);
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].fill(b' ');
    let sum: u64 = h.iter().map(|b| u64::from(*b)).sum();
    octal(&mut h[148..156], sum);
    h
}

/// Headers, data, zero padding, two zero blocks.
pub fn tar(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        out.extend_from_slice(&header(e));
        out.extend_from_slice(&e.data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

/// One zstd frame as the format fixes it: level 3, multi-threaded encoder,
/// checksum, no content size, no dictionary id, window 2^22.
pub fn compress_with(data: &[u8], window_log: u32) -> Vec<u8> {
    let mut enc = zstd::Encoder::new(Vec::new(), 3).expect("encoder");
    enc.multithread(1).expect("multithread");
    enc.include_checksum(true).expect("checksum");
    enc.include_contentsize(false).expect("content size");
    enc.include_dictid(false).expect("dict id");
    enc.window_log(window_log).expect("window");
    enc.write_all(data).expect("compress");
    enc.finish().expect("finish")
}

pub fn compress(data: &[u8]) -> Vec<u8> {
    compress_with(data, 22)
}

/// A member's body frame: none for no bytes.
pub fn body_frame(data: &[u8]) -> Vec<u8> {
    match data.is_empty() {
        true => Vec::new(),
        false => compress(data),
    }
}

/// `tar` cut into the format's frames where members of these data sizes
/// would be cut: the head (first two members whole), per later member a
/// joint (the padding before it, its header) and a body (its bytes, no
/// frame when empty), and last the padding and whatever follows.
pub fn layout(tar: &[u8], sizes: &[usize]) -> Vec<u8> {
    let whole = |size: usize| 512 + size.div_ceil(512) * 512;
    let part = |start: usize, end: usize| {
        &tar[start.min(tar.len())..end.min(tar.len()).max(start.min(tar.len()))]
    };
    let head: usize = sizes.iter().take(2).map(|s| whole(*s)).sum();
    let mut out = compress(part(0, head));
    let (mut at, mut cut) = (head, head);
    for size in sizes.iter().skip(2) {
        out.extend(compress(part(cut, at + 512)));
        out.extend(body_frame(part(at + 512, at + 512 + size)));
        cut = at + 512 + size;
        at += whole(*size);
    }
    out.extend(compress(part(cut, tar.len())));
    out
}

/// [`layout`] with the vector's member sizes (for archives edited in place).
pub fn vector_layout(tar: &[u8]) -> Vec<u8> {
    let sizes: Vec<usize> = Craft::vector()
        .entries()
        .iter()
        .map(|e| e.data.len())
        .collect();
    layout(tar, &sizes)
}

pub fn pack(entries: &[Entry]) -> Vec<u8> {
    let sizes: Vec<usize> = entries.iter().map(|e| e.data.len()).collect();
    layout(&tar(entries), &sizes)
}
