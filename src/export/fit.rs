//! `--max-bytes`: cutting a chain so that no bundle file is over a size.
//!
//! A bundle's size is known only once it is compressed and signed, so each
//! part planned by items is measured (written to nowhere, counting bytes);
//! a part over the limit is cut, between rows, into pieces sized from what
//! it measured, and each piece is measured in turn. Parts stay linked
//! (each piece's `since` is the previous piece's `upto`), and since a
//! bundle's bytes depend only on the rows and the key, the cut is the same
//! on every run and the bundles written later are the ones measured.
//!
//! Invariant: a row whose bundle alone is over the limit is refused before
//! anything is written ([`ExportError::RowOverMaxBytes`]).

use std::collections::VecDeque;

use crate::cursor::Cursor;

use super::{ExportError, Part, cut};

/// How a part is measured: the bytes of its bundle.
pub type Measure<'a> = dyn FnMut(&Part) -> Result<u64, ExportError> + 'a;

/// `parts` (in chain order) cut until every bundle is at most `max_bytes`;
/// `sizes` lists every row of the delta with its items, in feed order.
pub fn fit(
    parts: Vec<Part>,
    sizes: &[(Cursor, u64)],
    max_bytes: u64,
    measure: &mut Measure<'_>,
) -> Result<Vec<Part>, ExportError> {
    let mut todo: VecDeque<Part> = parts.into();
    let mut fitted = Vec::new();
    while let Some(part) = todo.pop_front() {
        let bytes = measure(&part)?;
        if bytes <= max_bytes {
            fitted.push(part);
            continue;
        }
        let rows = rows_of(&part, sizes);
        if rows.len() <= 1 {
            return Err(ExportError::RowOverMaxBytes {
                cursor: part.upto,
                bytes,
                max_bytes,
            });
        }
        for piece in split(&part, rows, bytes, max_bytes).into_iter().rev() {
            todo.push_front(piece);
        }
    }
    Ok(fitted)
}

/// The rows of `part`: after its `since`, up to and including its `upto`.
fn rows_of<'a>(part: &Part, sizes: &'a [(Cursor, u64)]) -> &'a [(Cursor, u64)] {
    let after = |c: &Cursor| part.since.is_none_or(|s| c.seq() > s.seq());
    let start = sizes.partition_point(|(c, _)| !after(c));
    let end = sizes.partition_point(|(c, _)| c.seq() <= part.upto.seq());
    &sizes[start..end.max(start)]
}

/// `part` (of `bytes`, over `max_bytes`) cut into pieces of about nine
/// tenths of the limit each, by items; at least two, at most one per row.
fn split(part: &Part, rows: &[(Cursor, u64)], bytes: u64, max_bytes: u64) -> Vec<Part> {
    let target = (max_bytes / 10 * 9).max(1);
    let pieces = bytes.div_ceil(target).clamp(2, rows.len() as u64);
    let items_each = part.items.div_ceil(pieces).max(1);
    cut(part.since, rows, items_each)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(seq: u64) -> Cursor {
        Cursor::new(1_700_000_000_000 + seq as i64, seq)
    }

    /// A bundle of `part` weighs 100 bytes plus 10 per item.
    fn weigh(part: &Part) -> Result<u64, ExportError> {
        Ok(100 + 10 * part.items)
    }

    fn whole(sizes: &[(Cursor, u64)]) -> Vec<Part> {
        cut(None, sizes, u64::MAX)
    }

    #[test]
    fn parts_under_the_limit_are_kept() {
        let sizes = [(c(1), 2), (c(2), 3)];
        let fitted = fit(whole(&sizes), &sizes, 150, &mut weigh).ok().unwrap();
        assert_eq!(fitted, whole(&sizes));
    }

    #[test]
    fn a_part_over_the_limit_becomes_a_linked_chain_under_it() {
        let sizes: Vec<(Cursor, u64)> = (1..=20).map(|i| (c(i), 1 + i % 3)).collect();
        let fitted = fit(whole(&sizes), &sizes, 200, &mut weigh).ok().unwrap();
        assert!(fitted.len() > 2, "{fitted:?}");
        assert!(fitted.iter().all(|p| weigh(p).ok().unwrap() <= 200));
        assert_eq!(fitted[0].since, None);
        for pair in fitted.windows(2) {
            assert_eq!(pair[1].since, Some(pair[0].upto));
        }
        assert_eq!(fitted.last().unwrap().upto, c(20));
        let items: u64 = fitted.iter().map(|p| p.items).sum();
        assert_eq!(items, sizes.iter().map(|s| s.1).sum::<u64>());
    }

    #[test]
    fn a_row_alone_over_the_limit_is_refused() {
        let sizes = [(c(1), 1), (c(2), 30), (c(3), 1)];
        let refused = fit(whole(&sizes), &sizes, 150, &mut weigh);
        assert!(
            matches!(
                refused,
                Err(ExportError::RowOverMaxBytes { cursor, bytes: 400, max_bytes: 150 }) if cursor == c(2)
            ),
            "{refused:?}"
        );
    }
}
