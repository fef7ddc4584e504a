//! TEMPORARY STUB (replaced by the bundle branch).
#![allow(dead_code, unused_variables)]
use std::io::{self, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::cursor::Cursor;
use crate::model::{CanonicalRecord, Deletion};

pub const FORMAT_VERSION: &str = "feedser-bundle/1.0";

#[derive(Clone, Copy, Debug)]
pub enum Member { Canonicals, Edges, Deletions }
pub struct NdjsonSpool;
pub struct SpooledMember;
impl NdjsonSpool {
    pub fn new(member: Member, dir: &Path) -> io::Result<Self> { todo!() }
    pub fn push<T: Serialize>(&mut self, row: &T) -> io::Result<()> { todo!() }
    pub fn finish(self) -> io::Result<SpooledMember> { todo!() }
}
pub struct ExportHeader { pub site_id: String, pub since_cursor: Option<Cursor>, pub export_cursor: Cursor, pub exported_at: String }
pub struct WriteOptions { pub level: i32, pub threads: u32 }
pub struct Written { pub bundle_hash: String, pub manifest: Manifest, pub bytes: u64 }
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest { pub version: String, pub site_id: String, pub since_cursor: Option<Cursor>, pub export_cursor: Cursor, pub exported_at: String, pub counts: Counts, pub files: Vec<FileEntry> }
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Counts { pub canonicals: u64, pub edges: u64, pub deletions: u64, pub total: u64 }
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FileEntry { pub path: String, pub sha256: String, pub size: u64, pub lines: u64 }
pub fn write_bundle(out: &mut dyn Write, header: &ExportHeader, members: [SpooledMember; 3], signer: Option<&crate::keys::Signer>, opts: &WriteOptions) -> Result<Written, BundleError> { todo!() }
pub struct Limits { pub max_bundle_bytes: u64, pub max_manifest_bytes: u64, pub max_signature_bytes: u64, pub max_line_bytes: u64, pub max_window_log: u32 }
impl Default for Limits { fn default() -> Self { todo!() } }
pub fn open(input: Box<dyn Read + '_>, limits: &Limits) -> Result<UnverifiedBundle, BundleError> { todo!() }
pub struct UnverifiedBundle;
pub struct SignatureProof;
pub struct VerifiedBundle;
pub struct SpooledBundle;
pub struct TrustedPublicKey { pub key_id: String, pub key: p256::ecdsa::VerifyingKey }
impl UnverifiedBundle {
    pub fn manifest(&self) -> &Manifest { todo!() }
    pub fn manifest_sha256(&self) -> &str { todo!() }
    pub fn signer_key_ids(&self) -> Vec<String> { todo!() }
    pub fn is_signed(&self) -> bool { todo!() }
    pub fn check_signature(&self, trusted: &[TrustedPublicKey]) -> Result<SignatureProof, SignatureError> { todo!() }
    pub fn verified(self, proof: SignatureProof) -> VerifiedBundle { todo!() }
    pub fn skip_signature(self) -> VerifiedBundle { todo!() }
}
impl VerifiedBundle {
    pub fn manifest(&self) -> &Manifest { todo!() }
    pub fn signer_key_id(&self) -> Option<&str> { todo!() }
    pub fn spool(self, dir: Option<&Path>) -> Result<SpooledBundle, BundleError> { todo!() }
}
impl SpooledBundle {
    pub fn bundle_hash(&self) -> &str { todo!() }
    pub fn manifest(&self) -> &Manifest { todo!() }
    pub fn manifest_sha256(&self) -> &str { todo!() }
    pub fn signer_key_id(&self) -> Option<&str> { todo!() }
    pub fn compressed_size(&self) -> u64 { todo!() }
    pub fn records(&self) -> Result<std::vec::IntoIter<Result<CanonicalRecord, BundleError>>, BundleError> { todo!() }
    pub fn deletions(&self) -> Result<std::vec::IntoIter<Result<Deletion, BundleError>>, BundleError> { todo!() }
}
#[derive(Debug, thiserror::Error)]
pub enum BundleError { #[error("x")] X }
impl BundleError { pub fn reason_code(&self) -> &'static str { "x" } }
#[derive(Debug, thiserror::Error)]
pub enum SignatureError { #[error("x")] X }
