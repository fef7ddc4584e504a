//! `feedser quarantine retry ID`: imports a quarantined bundle again,
//! through the same import use case as `bundle import` (policy, signature,
//! cursor checks, ledger, audit record). Success removes the entry; a
//! refusal keeps it as it was (no second copy of the same bundle).

use clap::Args;

use crate::command::context::Context;
use crate::error::Result;
use crate::import::{ImportError, ImportOutcome};
use crate::site::import::{Caller, Failure, ImportRequest, Response, Source, import_bundle};

#[derive(Debug, Args)]
pub struct Retry {
    /// The entry's id (see `quarantine list`)
    id: String,
    /// Print the import report as JSON
    #[arg(long)]
    json: bool,
}

impl Retry {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let quarantine = ctx.home.quarantine();
        let entry = quarantine.show(&self.id)?;
        let before: Vec<String> = quarantine.list()?.into_iter().map(|e| e.id).collect();
        let caller = Caller::Terminal {
            progress: ctx.progress(),
        };
        let present = |result: Result<&ImportOutcome, &ImportError>, ms| match result {
            Ok(outcome) if self.json => ctx.out.json(&Response {
                outcome,
                duration_ms: ms,
            }),
            Ok(outcome) => ctx.out.report(&crate::command::bundle::render::import(
                &entry.bundle,
                outcome,
                ms,
            )),
            // The same refusal document as `bundle import --json`.
            Err(error) if self.json => ctx.out.json(&Failure::new(error, ms)),
            Err(_) => Ok(()),
        };
        let source = Source::Path(entry.bundle.clone());
        let request = ImportRequest::default();
        let report = import_bundle(ctx, &request, source, caller, Box::new(present));
        // A refusal quarantined the copy again: that copy goes, the entry stays.
        let source = entry.bundle.display().to_string();
        let again: Vec<String> = quarantine
            .list()?
            .into_iter()
            .filter(|e| !before.contains(&e.id) && e.record.source == source)
            .map(|e| e.id)
            .collect();
        quarantine.remove(&again)?;
        report.result?;
        quarantine.remove(std::slice::from_ref(&entry.id))?;
        if !self.json {
            ctx.out
                .report(&format!("removed `{}` from the quarantine\n", entry.id))?;
        }
        Ok(())
    }
}
