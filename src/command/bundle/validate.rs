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
            after: None,
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

/// A check's line as the document writes it: `✓ Valid`, `✗ <reason>`,
/// `– Skipped (<why>)`, `– Not checked (<why>)`. `detail` says whether a
/// valid check shows its detail (the signature's key) or not (the hash
/// and format, whose details other lines give).
fn check(c: &Check, detail: bool) -> String {
    let shown = |t: &str| crate::escape::terminal(t).into_owned();
    match c {
        Check::Valid(d) if detail => format!("✓ Valid ({})", shown(d)),
        Check::Valid(_) => "✓ Valid".to_owned(),
        Check::Invalid(why) => format!("✗ {}", shown(why)),
        Check::Skipped(why) => format!("– Skipped ({})", shown(why)),
        Check::NotChecked(why) => format!("– Not checked ({})", shown(why)),
    }
}

/// The document's "Validate Bundle Without Import" block, then what stella
/// adds (the bundle hash, where a delta starts, an earlier import).
fn render(r: &ValidationReport) -> String {
    let or = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let version = r.version.as_deref().map(crate::escape::terminal);
    let mut text = format!(
        "Bundle: {}\nVersion: {}\nSite: {}\nCursor: {}\n{}Verification:\n  Hash: {}\n  Signature: {}\n  Format: {}\n\n",
        file_name(&r.bundle),
        or(version.map(|v| v.into_owned())),
        or(r.site_id.clone()),
        crate::command::or_dash(r.export_cursor),
        counts(r.counts.as_ref()),
        check(&r.hash, false),
        check(&r.signature, true),
        check(&r.format, false),
    );
    if r.ready {
        text.push_str("Ready for import.\n");
    } else {
        text.push_str("Not ready for import:\n");
        for p in &r.problems {
            text.push_str(&format!("  - {}\n", crate::escape::terminal(p)));
        }
    }
    if let Some(hash) = &r.bundle_hash {
        text.push_str(&format!("Bundle hash: {hash}\n"));
    }
    if r.export_cursor.is_some() {
        let since = r
            .since_cursor
            .map_or_else(|| "full export".to_owned(), |c| format!("delta after {c}"));
        text.push_str(&format!("Since: {since}\n"));
    }
    if let Some(at) = &r.already_imported_at {
        text.push_str(&format!(
            "Already imported at {at}: importing it again changes nothing.\n"
        ));
    }
    text
}

/// The `Counts:` block, each number with thousands separators.
fn counts(c: Option<&crate::bundle::Counts>) -> String {
    let Some(c) = c else {
        return "Counts: -\n".to_owned();
    };
    let n = crate::command::count::thousands;
    format!(
        "Counts:\n  Canonicals: {}\n  Edges: {}\n  Deletions: {}\n  Total: {}\n",
        n(c.canonicals),
        n(c.edges),
        n(c.deletions),
        n(c.total)
    )
}

/// The file name of the path given (`./bundle.zst` → `bundle.zst`, as the
/// document shows it); `-` for stdin.
fn file_name(given: &str) -> String {
    let name = std::path::Path::new(given)
        .file_name()
        .map_or_else(|| given.into(), |n| n.to_string_lossy());
    crate::escape::terminal(&name).into_owned()
}
