use clap::Args;

use crate::command::context::Context;
use crate::error::{Error, Result};
use crate::escape::terminal as shown;
use crate::model::CanonicalRecord;

#[derive(Debug, Args)]
pub struct Get {
    /// The canonical's merge hash, sha256:<64 hex digits>
    #[arg(value_parser = merge_hash)]
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

/// A merge hash as `sha256:` and 64 hex digits (any case; stored
/// lowercase): anything else is a usage error, never "not found".
fn merge_hash(text: &str) -> std::result::Result<String, String> {
    let digits = text.strip_prefix("sha256:").unwrap_or("");
    if digits.len() == 64 && digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(format!("sha256:{}", digits.to_ascii_lowercase()));
    }
    Err(format!(
        "`{}` is not a merge hash: expected `sha256:` followed by 64 hex digits, as `canonical list --wide` shows them",
        text.escape_debug()
    ))
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
