//! The merge-hash check of a canonical row without parsing it, for
//! `validate`'s fast path: the identity fields the scanner picked out
//! (`scan.rs`) are written as `man/stella-merge-hash.7` serializes them and
//! hashed, with no allocation once the scratch buffers have grown. The
//! ranges, the longest part, are serialized while the scanner reads them
//! (`read_ranges`), so a row's ranges are read once.
//!
//! Invariant: it may give up too often, never give a wrong digest. It
//! hashes the values as they are, so it takes only values that the
//! normalization leaves as they are, as every row stella writes has them:
//! a value that normalizing would change (a lowercase key or range type,
//! white space or a character past ASCII at either end, a repo ending in
//! `/` or `.git`, uppercase hex in a GIT range, a weakness not spelled
//! `CWE-n`, a commit not in lowercase hex), lists out of order or with a
//! repeat, and two ranges of one type and repo give `None`. The reference
//! path (`rules.rs`) then normalizes, hashes and decides.

use sha2::{Digest, Sha256};

use super::lexer::EVENTS;
use super::lexer::Scanner;
use super::scan::CanonicalKeys;
use crate::model::merge_hash::{EVENT_TAGS, MERGE_HASH_VERSION, NO_REPO, count, field};

/// The merge hash `validate`'s fast path finds for a canonical row (its
/// line without the newline), if it takes the row: for the fuzz target
/// `row_rules`, which holds it to `merge_hash::compute`.
pub fn fast_merge_hash(line: &[u8]) -> Option<String> {
    let digest = Identity::default().digest_line(line)?;
    Some(format!("sha256:{}", hex::encode(digest)))
}

/// Scratch space: the serialization, and the ranges (with their count)
/// and events it holds, which follow their counts.
#[derive(Default)]
pub(crate) struct Identity {
    out: Vec<u8>,
    ranges: Vec<u8>,
    range_count: usize,
    items: Vec<u8>,
}

impl Identity {
    /// The SHA-256 the merge hash of `k` spells, when `k` is normalized.
    #[cfg(test)]
    pub(crate) fn digest(&mut self, k: &CanonicalKeys) -> Option<[u8; 32]> {
        let mut s = Scanner::new(k.version_range)?;
        self.read_ranges(&mut s)?;
        s.end()?;
        self.digest_read(k)
    }

    /// Reads a `version_range` array at `s` (for `scan::canonical_with`),
    /// serializing its ranges for `digest_read`; `None` unless they are
    /// normalized.
    pub(super) fn read_ranges(&mut self, s: &mut Scanner<'_>) -> Option<()> {
        self.range_count = all_ranges(s, &mut self.ranges, &mut self.items)?;
        Some(())
    }

    /// The digest of a canonical row (its line without the newline) read
    /// as `validate` reads it: the ranges serialized as they are scanned.
    pub(crate) fn digest_line(&mut self, line: &[u8]) -> Option<[u8; 32]> {
        let keys = super::scan::canonical_with(line, |s| self.read_ranges(s))?;
        self.digest_read(&keys)
    }

    /// The digest of `k`, whose ranges `read_ranges` just read.
    pub(crate) fn digest_read(&mut self, k: &CanonicalKeys) -> Option<[u8; 32]> {
        let Identity {
            out,
            ranges,
            range_count,
            items,
        } = self;
        out.clear();
        out.extend_from_slice(MERGE_HASH_VERSION.as_bytes());
        out.push(b'\n');
        let mut cve = [0u8; 128];
        let cve = cve.get_mut(..k.cve.len())?;
        cve.copy_from_slice(k.cve);
        cve.make_ascii_uppercase();
        (cve.iter().all(u8::is_ascii_graphic)).then_some(())?;
        field(out, "cve", cve);
        field(out, "affects_key", k.affects_key);
        count(out, "ranges", *range_count);
        out.extend_from_slice(ranges);
        let cwe = |v: &[u8]| {
            let digits = v.strip_prefix(b"CWE-").unwrap_or_default();
            let leading_zero = digits.len() > 1 && digits.first() == Some(&b'0');
            (1..=19).contains(&digits.len())
                && digits.iter().all(u8::is_ascii_digit)
                && !leading_zero
        };
        // Without leading zeros, numbers sort as (length, digits).
        let numeric = |a: &[u8], b: &[u8]| (a.len(), a) < (b.len(), b);
        list(
            k.weaknesses,
            ("weaknesses", "cwe"),
            out,
            items,
            cwe,
            numeric,
        )?;
        let commit =
            |v: &[u8]| !v.is_empty() && v.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        list(
            k.patch_lineage,
            ("lineage", "commit"),
            out,
            items,
            commit,
            |a, b| a < b,
        )?;
        Some(Sha256::digest(out.as_slice()).into())
    }
}

/// The serialized ranges of the `version_range` array at `s` into `out`,
/// and their count.
fn all_ranges(s: &mut Scanner<'_>, out: &mut Vec<u8>, events: &mut Vec<u8>) -> Option<usize> {
    out.clear();
    let mut n = 0;
    let mut last: Option<(&[u8], Option<&[u8]>)> = None;
    s.array(|s| {
        s.lit(b"{\"type\":")?;
        let kind = s.ident()?;
        s.lit(b",\"repo\":")?;
        let repo = s.ident_option()?;
        s.lit(b",\"events\":")?;
        let normal_kind = kind
            .iter()
            .all(|b| b.is_ascii_graphic() && !b.is_ascii_lowercase());
        let normal_repo =
            repo.is_none_or(|r| trimmed(r) && !r.ends_with(b"/") && !r.ends_with(b".git"));
        let ordered = last.is_none_or(|l| l < (kind, repo));
        (normal_kind && normal_repo && ordered).then_some(())?;
        last = Some((kind, repo));
        let m = all_events(s, kind == b"GIT", events)?;
        s.lit(b"}")?;
        field(out, "type", kind);
        match repo {
            Some(repo) => field(out, "repo", repo),
            None => out.extend_from_slice(NO_REPO),
        }
        count(out, "events", m);
        out.extend_from_slice(events);
        n += 1;
        Some(())
    })?;
    Some(n)
}

/// The serialized events of a range's `events` array into `out`, and their
/// count.
fn all_events(s: &mut Scanner<'_>, git: bool, out: &mut Vec<u8>) -> Option<usize> {
    out.clear();
    let mut n = 0;
    let mut last: Option<(usize, &[u8])> = None;
    s.array(|s| {
        let kind = s.which(EVENTS)?;
        let value = s.ident()?;
        s.lit(b"}")?;
        // Only a GIT range's events are folded to lowercase (when hex).
        let folded = !git
            || value.is_empty()
            || !value.iter().any(u8::is_ascii_uppercase)
            || !value.iter().all(u8::is_ascii_hexdigit);
        let ordered = last.is_none_or(|l| l < (kind, value));
        (trimmed(value) && folded && ordered).then_some(())?;
        last = Some((kind, value));
        field(out, EVENT_TAGS.get(kind)?, value);
        n += 1;
        Some(())
    })?;
    Some(n)
}

/// A list of strings (`weaknesses`, `patch_lineage`) into `out`: its count
/// line, then an item line per value; `None` unless every value is
/// `normal` and each comes strictly `before` the next.
fn list(
    span: &[u8],
    (tag, item_tag): (&str, &str),
    out: &mut Vec<u8>,
    items: &mut Vec<u8>,
    normal: impl Fn(&[u8]) -> bool,
    before: impl Fn(&[u8], &[u8]) -> bool,
) -> Option<()> {
    items.clear();
    let mut s = Scanner::new(span)?;
    let mut n = 0;
    let mut last: Option<&[u8]> = None;
    s.array(|s| {
        let value = s.ident()?;
        (normal(value) && last.is_none_or(|l| before(l, value))).then_some(())?;
        last = Some(value);
        field(items, item_tag, value);
        n += 1;
        Some(())
    })?;
    s.end()?;
    count(out, tag, n);
    out.extend_from_slice(items);
    Some(())
}

/// Trimming leaves it as it is (and a value past ASCII at an end is left
/// to the reference path).
fn trimmed(value: &[u8]) -> bool {
    let graphic = |b: Option<&u8>| b.is_none_or(u8::is_ascii_graphic);
    graphic(value.first()) && graphic(value.last())
}
