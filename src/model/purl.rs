//! Package URL normalization for `affects_key`.
