use std::io::Write;

use clap::Args;

use crate::command::context::Context;
use crate::error::{Error, Result};
use crate::escape::terminal as shown;
use crate::store::CanonicalFilter;

#[derive(Debug, Args)]
pub struct List {
    /// Only this advisory key (CVE id), any case
    #[arg(long)]
    cve: Option<String>,
    /// Only this package (PURL; version, qualifiers and subpath are ignored)
    #[arg(long)]
    purl: Option<String>,
    /// Show at most this many
    #[arg(long)]
    limit: Option<usize>,
    /// Print NDJSON: one canonical with its edges per line
    #[arg(long)]
    json: bool,
}

impl List {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let purl = match &self.purl {
            Some(p) => Some(
                crate::model::purl::normalize(p)
                    .map_err(|e| Error::Usage(format!("--purl: {e}")))?,
            ),
            None => None,
        };
        let filter = CanonicalFilter {
            cve: self.cve.clone(),
            purl,
            limit: self.limit,
        };
        let store = ctx.open_store()?;
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        if !self.json {
            writeln!(out, "MERGE HASH  CVE  PACKAGE  SEVERITY  STATUS  TITLE")
                .map_err(Error::io("write to", "stdout"))?;
        }
        let json = self.json;
        store.list_canonicals(&filter, &mut |record| {
            if json {
                serde_json::to_writer(&mut out, &record).map_err(std::io::Error::other)?;
                writeln!(out)
            } else {
                // Each value escaped: a title cannot forge a row or
                // drive the terminal (issue #28).
                let c = &record.canonical;
                writeln!(
                    out,
                    "{}  {}  {}  {}  {}  {}",
                    shown(&c.merge_hash),
                    shown(&c.cve),
                    shown(&c.affects_key),
                    c.severity.as_str(),
                    c.status.as_str(),
                    shown(&c.title)
                )
            }
        })?;
        out.flush().map_err(Error::io("write to", "stdout"))
    }
}
