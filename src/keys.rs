//! TEMPORARY STUB (replaced by the bundle branch).
#![allow(dead_code, unused_variables)]
use std::path::PathBuf;
use crate::bundle::TrustedPublicKey;
pub struct KeyStore;
pub struct Signer { pub key_id: String }
#[derive(Clone, Debug, serde::Serialize)]
pub struct KeyInfo { pub name: String, pub algorithm: String, pub purpose: String, pub key_id: String, pub created_at: String, pub encrypted: bool }
impl KeyStore {
    pub fn new(dir: PathBuf) -> Self { todo!() }
    pub fn generate(&self, name: &str, algorithm: &str, purpose: &str, passphrase: Option<&str>, created_at: &str) -> Result<KeyInfo, KeyError> { todo!() }
    pub fn list(&self) -> Result<Vec<KeyInfo>, KeyError> { todo!() }
    pub fn public_pem(&self, name: &str) -> Result<String, KeyError> { todo!() }
    pub fn signer(&self, name: &str, passphrase: Option<&str>) -> Result<Signer, KeyError> { todo!() }
}
pub fn parse_public_pem(pem: &str) -> Result<TrustedPublicKey, KeyError> { todo!() }
#[derive(Debug, thiserror::Error)]
pub enum KeyError { #[error("x")] X }
