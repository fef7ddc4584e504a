//! Package URL normalization for `affects_key`.
pub fn normalize(p: &str) -> Result<String, String> { todo!() }
