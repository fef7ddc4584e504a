//! The merge hash: a versioned, normalized identity of a canonical advisory.
