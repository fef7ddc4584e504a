//! Text tables, the one helper every table uses: as the document draws
//! them (`sites list`: a header, a rule of `─` under each column) or plain
//! (a header only), rows aligned to the widest cell. Digests are shortened
//! to `sha256:1a2b3c4d…` and titles cut at a word boundary, unless the
//! command's `--wide` asks for whole values (`--json` always has them).
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

/// A whole table under a plain header (no rule).
pub fn plain(headers: &[&str], rows: &[Vec<String>]) -> String {
    let rows = escaped(rows.to_vec());
    let layout = Layout::fit(headers, &rows);
    let mut text = layout.header(headers, false);
    for row in &rows {
        text.push_str(&layout.row(row));
    }
    text
}

/// Hex digits of a digest a table keeps: enough to tell rows apart.
const DIGEST_DIGITS: usize = 8;

/// The longest title a table shows, in characters (`…` included).
pub const TITLE_CHARS: usize = 60;

/// A `sha256:` digest as a table shows it: `sha256:1a2b3c4d…`, or whole
/// when `wide`. Other values are kept as they are.
pub fn digest(value: &str, wide: bool) -> String {
    match value.strip_prefix("sha256:") {
        Some(hex) if !wide && hex.chars().count() > DIGEST_DIGITS => {
            let head: String = hex.chars().take(DIGEST_DIGITS).collect();
            format!("sha256:{head}…")
        }
        _ => value.to_owned(),
    }
}

/// `text` in at most `max` characters: cut at the last word boundary that
/// fits, with `…`; a single word longer than that is cut inside it.
pub fn title(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let room: String = text.chars().take(max.saturating_sub(1)).collect();
    let next = text.chars().nth(room.chars().count());
    let cut = match next {
        // The cut falls on a boundary already.
        Some(c) if c.is_whitespace() => room.as_str(),
        _ => room
            .rfind(char::is_whitespace)
            .map_or(room.as_str(), |i| &room[..i]),
    };
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_shortened_unless_wide() {
        let hash = format!("sha256:{}", "1a2b3c4d".repeat(8));
        assert_eq!(digest(&hash, false), "sha256:1a2b3c4d…");
        assert_eq!(digest(&hash, true), hash);
        assert_eq!(digest("sha256:abc", false), "sha256:abc");
        assert_eq!(digest("-", false), "-");
    }

    #[test]
    fn titles_are_cut_at_a_word_boundary() {
        assert_eq!(title("short title", 20), "short title");
        assert_eq!(
            title("remote code execution in the parser", 20),
            "remote code…"
        );
        assert_eq!(title("remote code execution", 12), "remote code…");
        assert_eq!(title("supercalifragilistic", 8), "superca…");
        assert_eq!(title("été à la plage du nord", 10), "été à la…");
    }

    #[test]
    fn cells_are_escaped_and_cannot_forge_rows() {
        let rows = vec![vec!["a\u{1b}[2J\nb  forged".into(), "x".into()]];
        assert_eq!(
            plain(&["NAME", "X"], &rows),
            "NAME                   X\na\\u{1b}[2J\\nb  forged  x\n"
        );
    }

    #[test]
    fn plain_tables_align_columns() {
        let rows = vec![
            vec!["site-a".into(), "enabled".into()],
            vec!["b".into(), "-".into()],
        ];
        assert_eq!(
            plain(&["SITE ID", "STATUS"], &rows),
            "SITE ID  STATUS\nsite-a   enabled\nb        -\n"
        );
    }

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
