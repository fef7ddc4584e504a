//! The stable snake_case code of each [`BundleError`], which callers record
//! (ledger, exit codes, metrics).
//!
//! Invariant: a code never changes once published.

use super::bundle::BundleError;

impl BundleError {
    /// A failure on this side (the input could not be read, the output or
    /// the scratch disk could not be written): it says nothing about the
    /// bundle itself.
    pub fn is_local(&self) -> bool {
        matches!(self, Self::Read(_) | Self::Write(_) | Self::Spool { .. })
    }

    /// A stable snake_case code for this error.
    pub fn reason_code(&self) -> &'static str {
        use BundleError as E;
        match self {
            E::Read(_) => "read_failed",
            E::Write(_) => "write_failed",
            E::Spool { .. } => "spool_failed",
            E::TooLarge { .. } => "bundle_too_large",
            E::NotZstd { .. } => "not_zstd",
            E::FrameHeader { .. } => "zstd_header_not_canonical",
            E::WindowLimit { .. } => "zstd_window_too_large",
            E::RatioExceeded { .. } => "decompression_ratio_exceeded",
            E::ContentTooLarge { .. } => "content_too_large",
            E::Zstd { .. } => "zstd_corrupt",
            E::NonCanonicalCompression { .. } => "zstd_not_canonical",
            E::FrameLayout { .. } => "zstd_frame_layout",
            E::CompressedMismatch { .. } => "member_compressed_mismatch",
            E::UnsupportedLevel { .. } => "unsupported_level",
            E::Truncated => "truncated",
            E::TrailingData => "trailing_data",
            E::UnsafePath { .. } => "unsafe_path",
            E::NotRegularFile { .. } => "not_regular_file",
            E::UnexpectedMember { .. } => "unexpected_member",
            E::DuplicateMember { .. } => "duplicate_member",
            E::DuplicateCanonical { .. } => "duplicate_canonical",
            E::DuplicateEdge { .. } => "duplicate_edge",
            E::ExtraMember { .. } => "extra_member",
            E::NonCanonicalHeader { .. } => "tar_header_not_canonical",
            E::NonZeroPadding { .. } => "tar_padding_not_zero",
            E::BadTrailer => "tar_trailer_invalid",
            E::MemberTooLarge { .. } => "member_too_large",
            E::MalformedManifest { .. } => "manifest_malformed",
            E::UnsupportedVersion { .. } => "unsupported_version",
            E::Envelope(e) => e.reason_code(),
            E::SizeMismatch { .. } => "member_size_mismatch",
            E::Sha256Mismatch { .. } => "member_sha256_mismatch",
            E::LineCountMismatch { .. } => "member_line_count_mismatch",
            E::MissingFinalNewline { .. } => "missing_final_newline",
            E::LineTooLong { .. } => "line_too_long",
            E::MalformedRow { .. } => "row_malformed",
            E::FieldTooLong { .. } => "field_too_long",
            E::NonCanonicalRow { .. } => "row_not_canonical",
            E::IdMismatch { .. } => "id_mismatch",
            E::BadHistory { .. } => "history_malformed",
            E::BadMergeHash { .. } => "merge_hash_malformed",
            E::BadCve { .. } => "advisory_key_malformed",
            E::EdgeMergeHash { .. } => "edge_merge_hash_mismatch",
            E::EdgeOutOfOrder { .. } => "edge_out_of_order",
            E::MemberOrder { .. } => "member_order",
            E::SpoolChanged { .. } => "spool_changed",
            E::SpoolLevel { .. } => "spool_level",
            E::Row { fault, .. } => fault.reason_code(),
        }
    }
}
