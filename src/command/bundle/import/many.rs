//! `bundle import` of several bundles: validate all
//! (`crate::site::import::batch::check_all`), then import each in cursor
//! order, and print one summary: each part's report and a closing line,
//! or one `--json` document. The exit code is the first failure's.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::command::context::Context;
use crate::cursor::Cursor;
use crate::error::Result;
use crate::import::ImportOutcome;
use crate::metrics::Metrics;
use crate::site::import::{Caller, Source, batch, import_bundle};

use super::Import;
use super::render;

/// The `--json` document of a batch.
#[derive(Serialize)]
struct Summary<'a> {
    success: bool,
    /// What was done, part by part, in the order it was done.
    bundles: Vec<Part<'a>>,
    /// How many parts were new (not imported before).
    imported: usize,
    already_imported: usize,
    /// Parts left out: they end at or before what this site holds already.
    covered: &'a [PathBuf],
    /// The last cursor imported, from the last part.
    imported_cursor: Option<Cursor>,
    /// Why the batch stopped, when it did.
    error: Option<String>,
}

#[derive(Serialize)]
struct Part<'a> {
    bundle: &'a Path,
    #[serde(flatten)]
    outcome: ImportOutcome,
    duration_ms: u128,
}

impl Import {
    pub(super) fn import_many(
        &self,
        ctx: &Context,
        files: &[PathBuf],
        metrics: &mut Metrics,
    ) -> Result<()> {
        let started = std::time::Instant::now();
        let progress = ctx.progress();
        let checked = match batch::check_all(ctx, files, progress.as_ref()) {
            Ok(checked) => checked,
            Err(e) => {
                let seconds = started.elapsed().as_secs_f64();
                crate::site::monitor::import(metrics, Err(&e), None, seconds);
                return self.stopped(ctx, Vec::new(), &[], e);
            }
        };
        drop(progress);
        let (ordered, covered) = (checked.ordered, checked.covered);
        if self.dry_run {
            let n = crate::command::count::count(ordered.len() as u64, "bundle");
            return self.summary(
                ctx,
                Vec::new(),
                &covered,
                &format!(
                    "dry run: {n} would import, in this order:\n{}",
                    list(&ordered)
                ),
            );
        }
        let mut done = Vec::new();
        for bundle in &ordered {
            let caller = Caller::Terminal {
                progress: ctx.progress(),
            };
            let source = Source::Path(bundle.clone());
            let report = import_bundle(
                ctx,
                &self.request(),
                source,
                caller,
                Box::new(|_, _| Ok(())),
            );
            report.count(metrics);
            match report.result {
                Ok(outcome) => done.push(Part {
                    bundle,
                    outcome,
                    duration_ms: report.duration_ms,
                }),
                Err(e) => return self.stopped(ctx, done, &covered, e),
            }
        }
        let closing = closing_line(&done, &covered);
        self.summary(ctx, done, &covered, &closing)
    }

    /// The report of what was done, then `error` as the command's error.
    fn stopped(
        &self,
        ctx: &Context,
        done: Vec<Part<'_>>,
        covered: &[PathBuf],
        error: crate::error::Error,
    ) -> Result<()> {
        let message = error.to_string();
        if self.json {
            ctx.out.json(&document(done, covered, Some(message)))?;
        } else if !done.is_empty() {
            let n = crate::command::count::count(done.len() as u64, "bundle");
            let text = format!("{}Imported {n}, then stopped:\n", reports(&done));
            ctx.out.text(&text)?;
        }
        Err(error)
    }

    fn summary(
        &self,
        ctx: &Context,
        done: Vec<Part<'_>>,
        covered: &[PathBuf],
        closing: &str,
    ) -> Result<()> {
        if self.json {
            return ctx.out.json(&document(done, covered, None));
        }
        ctx.out.text(&format!("{}{closing}", reports(&done)))
    }
}

fn document<'a>(done: Vec<Part<'a>>, covered: &'a [PathBuf], error: Option<String>) -> Summary<'a> {
    let already = done.iter().filter(|p| p.outcome.already_imported).count();
    Summary {
        success: error.is_none(),
        imported: done.len() - already,
        already_imported: already,
        imported_cursor: done.last().map(|p| p.outcome.imported_cursor),
        bundles: done,
        covered,
        error,
    }
}

fn reports(done: &[Part<'_>]) -> String {
    let one = |p: &Part<'_>| render::import(p.bundle, &p.outcome, p.duration_ms);
    done.iter().map(one).collect()
}

fn list(files: &[PathBuf]) -> String {
    files
        .iter()
        .map(|f| format!("  {}\n", f.display()))
        .collect()
}

/// `Imported 3 bundles (1 already imported) up to cursor C`, or what an
/// empty inbox says.
fn closing_line(done: &[Part<'_>], covered: &[PathBuf]) -> String {
    let mut text: String = covered
        .iter()
        .map(|c| format!("Skipped {}: it ends at or before the last cursor imported from its site (covered)\n", c.display()))
        .collect();
    let Some(last) = done.last() else {
        text.push_str("no bundles to import\n");
        return text;
    };
    let already = done.iter().filter(|p| p.outcome.already_imported).count();
    let n = crate::command::count::count(done.len() as u64, "bundle");
    text.push_str(&format!(
        "Imported {n} ({already} already imported) up to cursor {}\n",
        last.outcome.imported_cursor
    ));
    text
}
