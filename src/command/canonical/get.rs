use clap::Args;

use crate::command::context::Context;
use crate::error::{Error, Result};
use crate::escape::terminal as shown;
use crate::model::CanonicalRecord;

#[derive(Debug, Args)]
pub struct Get {
    /// The canonical's merge hash, sha256:<hex>
    merge_hash: String,
    /// Print the canonical and its edges as JSON
    #[arg(long)]
    json: bool,
}

impl Get {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let store = ctx.open_store()?;
        let record = store
            .canonical(&self.merge_hash)?
            .ok_or_else(|| Error::NotFound {
                what: "canonical",
                name: self.merge_hash.clone(),
            })?;
        if self.json {
            return ctx.out.json(&record);
        }
        ctx.out.text(&render(&record))
    }
}

/// The record for a terminal: every value escaped, one line each (a
/// title cannot forge a field or drive the terminal; issue #28).
fn render(r: &CanonicalRecord) -> String {
    let c = &r.canonical;
    let ranges = serde_json::to_string(&c.version_range).unwrap_or_default();
    let ranges = shown(&ranges);
    let mut text = format!(
        "Merge hash: {}\nId: {}\nCVE: {}\nPackage: {}\nStatus: {}\nSeverity: {}{}\nTitle: {}\nRanges: {}\nWeaknesses: {}\nPublished: {}\nModified: {}\nEdges:\n",
        shown(&c.merge_hash),
        c.id,
        shown(&c.cve),
        shown(&c.affects_key),
        c.status.as_str(),
        c.severity.as_str(),
        c.cvss_vector
            .as_ref()
            .map(|v| format!(" ({})", shown(v)))
            .unwrap_or_default(),
        shown(&c.title),
        ranges,
        if c.weaknesses.is_empty() {
            "-".to_owned()
        } else {
            shown(&c.weaknesses.join(", ")).into_owned()
        },
        shown(c.published.as_deref().unwrap_or("-")),
        shown(c.modified.as_deref().unwrap_or("-")),
    );
    for e in &r.edges {
        text.push_str(&format!(
            "  {} {} ({}) {}\n",
            shown(&e.source),
            shown(&e.source_advisory_id),
            shown(&e.vendor_status),
            shown(&e.source_sha256)
        ));
    }
    text
}
