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

/// An untrusted value as one line of a terminal.
pub fn shown(value: &str) -> String {
    crate::escape::terminal(value).into_owned()
}
