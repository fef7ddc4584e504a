//! Text tables as the document draws them (`sites list`): a header, a rule
//! of `─` under each column, and rows aligned to the widest cell.
//!
//! Invariants: every cell is escaped for the terminal before it is
//! measured, so a value can neither forge a row nor drive the terminal;
//! a column is at least as wide as its header; lines carry no trailing
//! blanks. A table too long to hold in memory ([`Layout::fit`] on its first
//! rows, then [`Layout::row`] per row) keeps those widths: a later, wider
//! cell pushes the rest of its own line right, never the header.

use crate::command::output::shown;

/// Column widths, in characters.
pub struct Layout {
    widths: Vec<usize>,
}

impl Layout {
    /// Widths that fit `headers` and every cell of `rows` (already escaped).
    pub fn fit(headers: &[&str], rows: &[Vec<String>]) -> Layout {
        let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
        for row in rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        Layout { widths }
    }

    /// The header line, and with `rule` a line of `─` under each column.
    pub fn header(&self, headers: &[&str], rule: bool) -> String {
        let cells: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
        let mut text = self.row(&cells);
        if rule {
            let rules: Vec<String> = self.widths.iter().map(|w| "─".repeat(*w)).collect();
            text.push_str(&self.row(&rules));
        }
        text
    }

    /// One row (cells already escaped), columns two spaces apart.
    pub fn row(&self, cells: &[String]) -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(&self.widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        let mut line = padded.join("  ").trim_end().to_owned();
        line.push('\n');
        line
    }
}

/// Every cell of `rows` escaped for the terminal.
pub fn escaped(rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    rows.into_iter()
        .map(|row| row.iter().map(|c| shown(c)).collect())
        .collect()
}

/// A whole table with a rule under its header.
pub fn ruled(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let rows = escaped(rows);
    let layout = Layout::fit(headers, &rows);
    let mut text = layout.header(headers, true);
    for row in &rows {
        text.push_str(&layout.row(row));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_spans_each_column() {
        let rows = vec![vec!["site-us-east-1".into(), "enabled".into()]];
        assert_eq!(
            ruled(&["SITE ID", "STATUS"], rows),
            "SITE ID         STATUS\n──────────────  ───────\nsite-us-east-1  enabled\n"
        );
    }

    #[test]
    fn later_wider_cell_keeps_the_layout() {
        let layout = Layout::fit(&["A", "B"], &[vec!["x".into(), "y".into()]]);
        assert_eq!(layout.row(&["wide".into(), "y".into()]), "wide  y\n");
        assert_eq!(layout.row(&["x".into(), "y".into()]), "x  y\n");
    }
}
