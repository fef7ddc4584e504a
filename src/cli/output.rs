//! stdout: data and `--json` documents only. A closed pipe (`| head`) ends
//! the command quietly: `run` treats a broken pipe as success.

use std::io::Write;

use serde::Serialize;

use crate::error::{Error, Result};

pub struct Output;

impl Output {
    pub fn stdout() -> Output {
        Output
    }

    pub fn text(&self, text: &str) -> Result<()> {
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
        self.text(&text)
    }
}

/// A plain text table: left-aligned columns, two spaces apart.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
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

#[cfg(test)]
mod tests {
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
