//! `feedser canonical list`: a table whose header lines up with its
//! columns, or NDJSON with `--json`. Rows stream from the store: the
//! column widths are fitted to the first `WINDOW` rows (all of them in
//! most stores), so memory stays flat however many canonicals there are.

use std::io::Write;

use clap::Args;

use crate::command::context::Context;
use crate::command::output::shown;
use crate::command::table::Layout;
use crate::error::{Error, Result};
use crate::model::CanonicalRecord;
use crate::store::CanonicalFilter;

/// Rows the column widths are fitted to before the table starts.
const WINDOW: usize = 1000;

const HEADERS: [&str; 6] = [
    "MERGE HASH",
    "CVE",
    "PACKAGE",
    "SEVERITY",
    "STATUS",
    "TITLE",
];

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
    /// Show whole merge hashes and titles in the table
    #[arg(long)]
    wide: bool,
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
        if self.json {
            store.list_canonicals(&filter, &mut |record| {
                serde_json::to_writer(&mut out, &record).map_err(std::io::Error::other)?;
                writeln!(out)
            })?;
        } else {
            let mut table = Streamed {
                wide: self.wide,
                ..Streamed::default()
            };
            store.list_canonicals(&filter, &mut |record| table.push(&mut out, &record))?;
            table
                .finish(&mut out)
                .map_err(Error::io("write to", "stdout"))?;
        }
        out.flush().map_err(Error::io("write to", "stdout"))
    }
}

/// The table as it streams: rows held until the widths are known.
#[derive(Default)]
struct Streamed {
    /// `--wide`: whole merge hashes and titles.
    wide: bool,
    held: Vec<Vec<String>>,
    layout: Option<Layout>,
}

impl Streamed {
    fn push(&mut self, out: &mut dyn Write, record: &CanonicalRecord) -> std::io::Result<()> {
        let row = cells(record, self.wide);
        match &self.layout {
            Some(layout) => out.write_all(layout.row(&row).as_bytes()),
            None => {
                self.held.push(row);
                if self.held.len() < WINDOW {
                    return Ok(());
                }
                self.start(out)
            }
        }
    }

    /// Fits the widths to the rows held and writes them under the header.
    fn start(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        let layout = Layout::fit(&HEADERS, &self.held);
        out.write_all(layout.header(&HEADERS, false).as_bytes())?;
        for row in self.held.drain(..) {
            out.write_all(layout.row(&row).as_bytes())?;
        }
        self.layout = Some(layout);
        Ok(())
    }

    fn finish(mut self, out: &mut dyn Write) -> std::io::Result<()> {
        match self.layout {
            Some(_) => Ok(()),
            None => self.start(out),
        }
    }
}

/// One row, each value escaped: a title cannot forge a row or drive the
/// terminal (issue #28).
fn cells(record: &CanonicalRecord, wide: bool) -> Vec<String> {
    let c = &record.canonical;
    let title = match wide {
        true => c.title.clone(),
        false => crate::command::table::title(&c.title, crate::command::table::TITLE_CHARS),
    };
    vec![
        shown(&crate::command::table::digest(&c.merge_hash, wide)),
        shown(&c.cve),
        shown(&c.affects_key),
        c.severity.as_str().to_owned(),
        c.status.as_str().to_owned(),
        shown(&title),
    ]
}
