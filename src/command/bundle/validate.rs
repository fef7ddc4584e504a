use std::path::PathBuf;

use clap::Args;

use crate::command::context::Context;
use crate::error::Result;
use crate::import::{Check, ValidationReport};

#[derive(Debug, Args)]
pub struct Validate {
    /// The bundle file, or - for stdin
    bundle: PathBuf,
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

impl Validate {
    pub fn run(self, ctx: &Context) -> Result<()> {
        ctx.require_federation()?;
        let store = ctx.open_store()?;
        let input = crate::site::import::open_input(&self.bundle)?;
        let label = self.bundle.display().to_string();
        // Validate takes no writer lock; its scratch directory is under a lock
        // of its own, so `journal gc` leaves it alone while it runs (#28).
        let scratch = crate::site::scratch(&ctx.home.staging_dir())?;
        let progress = ctx.progress();
        let request = crate::import::Request {
            label,
            now: &crate::site::now(),
            staging: scratch.dir(),
            progress: progress.as_ref(),
        };
        let report = crate::import::validate(store.as_ref(), input, &ctx.import_policy(), request);
        if self.json {
            ctx.out.json(&report)?;
        } else {
            ctx.out.text(&render(&report))?;
        }
        match report.problems.first() {
            None => Ok(()),
            Some(first) => Err(crate::error::Error::Reported {
                message: format!("bundle would not import: {first}"),
                exit: report.exit,
            }),
        }
    }
}

fn check(c: &Check) -> String {
    match c {
        Check::Valid(detail) => format!("valid ({detail})"),
        Check::Invalid(detail) => format!("INVALID: {detail}"),
        Check::NotChecked(why) => format!("not checked: {why}"),
    }
}

fn render(r: &ValidationReport) -> String {
    let or = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let cursor = match (r.since_cursor, r.export_cursor) {
        (_, None) => "-".to_owned(),
        (None, Some(to)) => format!("{to} (full export)"),
        (Some(from), Some(to)) => format!("{to} (delta since {from})"),
    };
    let mut text = format!(
        "Bundle: {}\nBundle hash: {}\nVersion: {}\nSite: {}\nCursor: {}\nCounts: {}\nVerification:\n  Hash: {}\n  Signature: {}\n  Format: {}\n",
        r.bundle,
        or(r.bundle_hash.clone()),
        or(r.version
            .as_deref()
            .map(|v| crate::escape::terminal(v).into_owned())),
        or(r.site_id.clone()),
        cursor,
        r.counts
            .as_ref()
            .map_or_else(|| "-".to_owned(), super::render::counts_line),
        check(&r.hash),
        check(&r.signature),
        check(&r.format),
    );
    if let Some(at) = &r.already_imported_at {
        text.push_str(&format!(
            "Already imported at {at}: importing it again changes nothing.\n"
        ));
    }
    if r.ready {
        text.push_str("Ready for import.\n");
    } else {
        text.push_str("Not ready for import:\n");
        for p in &r.problems {
            text.push_str(&format!("  - {}\n", crate::escape::terminal(p)));
        }
    }
    text
}
