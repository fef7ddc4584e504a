//! TEMPORARY STUB (replaced by the osv branch).
#![allow(dead_code, unused_variables)]
use std::io::Read;
use std::path::PathBuf;
pub struct RawRecord { pub origin: String, pub bytes: Vec<u8> }
#[derive(Debug, thiserror::Error)]
pub enum InputError { #[error("x")] X }
pub fn read_inputs(paths: &[PathBuf]) -> std::vec::IntoIter<Result<RawRecord, InputError>> { todo!() }
pub fn read_stream<'a>(r: &'a mut dyn Read) -> std::vec::IntoIter<Result<RawRecord, InputError>> { todo!() }
