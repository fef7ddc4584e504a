//! stdout: data and `--json` documents only. A closed pipe (`| head`) ends
//! the command quietly: `run` treats a broken pipe as success. A report of
//! what a command did ([`Output::report`]) is normal output that `-q`
//! silences; data ([`Output::text`], [`Output::json`]) never is.
//!
//! Text for people shows untrusted strings (from bundles, the store, HTTP
//! requests) escaped (`crate::escape`): commands escape each value they
//! print, a table escapes every cell, and [`Output::text`] escapes any
//! control character but the line feeds that end its lines, in case a
//! value was missed. JSON is written as it is: it keeps the exact values.

use std::io::Write;

use serde::Serialize;

use crate::error::{Error, Result};

pub struct Output {
    /// `-q`: reports are not written (data and documents still are).
    quiet: bool,
}

impl Output {
    pub fn stdout() -> Output {
        Output {
            quiet: super::logger::quiet(),
        }
    }

    /// What a command did (`Wrote …`, `Imported …`): nothing under `-q`,
    /// where only data (`--json` documents, listings, `-o -` bundles)
    /// reaches stdout.
    pub fn report(&self, text: &str) -> Result<()> {
        if self.quiet {
            return Ok(());
        }
        self.text(text)
    }

    /// Data: a listing, a record, a check's findings.
    pub fn text(&self, text: &str) -> Result<()> {
        let text = crate::escape::lines(text);
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(Error::io("write to", "stdout"))
    }

    pub fn json<T: Serialize>(&self, value: &T) -> Result<()> {
        let mut text = serde_json::to_string_pretty(value).map_err(|e| Error::Io {
            action: "serialize",
            path: "stdout".into(),
            source: e.into(),
        })?;
        text.push('\n');
        self.raw(&text)
    }

    /// `text` exactly as it is (JSON, PEM).
    pub fn raw(&self, text: &str) -> Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(Error::io("write to", "stdout"))
    }
}

/// A plain text table: left-aligned columns, two spaces apart, each cell
/// escaped for the terminal (one line, nothing a terminal acts on).
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(|cell| shown(cell)).collect())
        .collect();
    let rows = rows.as_slice();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    let header_cells: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header_cells).chain(rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        text.push_str(cells.join("  ").trim_end());
        text.push('\n');
    }
    text
}

/// An untrusted value as one line of a terminal.
pub fn shown(value: &str) -> String {
    crate::escape::terminal(value).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn cells_are_escaped_and_cannot_forge_rows() {
        let rows = vec![vec!["a\u{1b}[2J\nb  forged".into(), "x".into()]];
        assert_eq!(
            super::table(&["NAME", "X"], &rows),
            "NAME                   X\na\\u{1b}[2J\\nb  forged  x\n"
        );
    }

    #[test]
    fn table_aligns_columns() {
        let rows = vec![
            vec!["site-a".into(), "enabled".into()],
            vec!["b".into(), "-".into()],
        ];
        assert_eq!(
            super::table(&["SITE ID", "STATUS"], &rows),
            "SITE ID  STATUS\nsite-a   enabled\nb        -\n"
        );
    }
}
