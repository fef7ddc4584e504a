//! A member's decoded chunks cut into lines, however the chunks fall: a
//! line split between chunks is carried over (within the line cap), and the
//! line cap counts the newline, as when a spooled member is read back.
//!
//! Invariant: a line is handed on whole exactly once, whatever the chunking.

use crate::bundle::error::BundleError;
use crate::bundle::format::members::Member;

/// Splits a member's chunks into lines, enforcing the line cap.
pub(super) struct Lines {
    partial: Vec<u8>,
    line: u64,
    max: u64,
}

impl Lines {
    pub(super) fn new(max: u64) -> Self {
        Self {
            partial: Vec::new(),
            line: 0,
            max,
        }
    }

    fn too_long(&self, member: Member) -> BundleError {
        BundleError::LineTooLong {
            path: member.path(),
            line: self.line + 1,
            limit: self.max,
        }
    }

    pub(super) fn feed(
        &mut self,
        member: Member,
        chunk: &[u8],
        mut row: impl FnMut(u64, &[u8]) -> Result<(), BundleError>,
    ) -> Result<(), BundleError> {
        let mut rest = chunk;
        while let Some(at) = memchr::memchr(b'\n', rest) {
            let (head, tail) = rest.split_at(at);
            rest = tail.get(1..).unwrap_or_default();
            let length = (self.partial.len() + head.len()) as u64;
            if length + 1 > self.max {
                return Err(self.too_long(member));
            }
            self.line += 1;
            if self.partial.is_empty() {
                row(self.line, head)?;
            } else {
                self.partial.extend_from_slice(head);
                row(self.line, &self.partial)?;
                self.partial.clear();
            }
        }
        if (self.partial.len() + rest.len()) as u64 > self.max {
            return Err(self.too_long(member));
        }
        self.partial.extend_from_slice(rest);
        Ok(())
    }

    /// The end of `member`: a line left open is refused; the next member's
    /// lines count from one.
    pub(super) fn end(&mut self, member: Member) -> Result<(), BundleError> {
        if !self.partial.is_empty() {
            return Err(BundleError::MissingFinalNewline {
                path: member.path(),
            });
        }
        self.line = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines `chunks` split into, or the first error.
    fn split(chunks: &[&[u8]], max: u64) -> Result<Vec<(u64, Vec<u8>)>, BundleError> {
        let mut lines = Lines::new(max);
        let mut out = Vec::new();
        for chunk in chunks {
            lines.feed(Member::Edges, chunk, |n, body| {
                out.push((n, body.to_vec()));
                Ok(())
            })?;
        }
        lines.end(Member::Edges)?;
        Ok(out)
    }

    #[test]
    fn lines_are_the_same_however_the_bytes_are_cut() {
        let bytes = b"{\"a\":1}\n\n{\"b\":22}\n";
        let whole = split(&[bytes], 64).unwrap();
        let expected = vec![
            (1, b"{\"a\":1}".to_vec()),
            (2, Vec::new()),
            (3, b"{\"b\":22}".to_vec()),
        ];
        assert_eq!(whole, expected);
        for cut in 0..=bytes.len() {
            let (a, b) = bytes.split_at(cut);
            assert_eq!(split(&[a, b], 64).unwrap(), expected, "cut at {cut}");
        }
        let bytewise: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(split(&bytewise, 64).unwrap(), expected);
    }

    #[test]
    fn a_line_over_the_cap_or_left_open_is_refused() {
        // The cap counts the newline, as when reading a spooled member.
        assert_eq!(split(&[b"1234\n"], 5).unwrap().len(), 1);
        let long = split(&[b"ok\n12", b"345\n"], 5).unwrap_err();
        assert!(
            matches!(
                long,
                BundleError::LineTooLong {
                    line: 2,
                    limit: 5,
                    ..
                }
            ),
            "{long}"
        );
        let never_ends = split(&[b"ok\n123", b"456"], 5).unwrap_err();
        assert!(
            matches!(never_ends, BundleError::LineTooLong { line: 2, .. }),
            "{never_ends}"
        );
        let open = split(&[b"ok\nno newline"], 64).unwrap_err();
        assert!(matches!(
            open,
            BundleError::MissingFinalNewline {
                path: "edges.ndjson"
            }
        ));
    }
}
