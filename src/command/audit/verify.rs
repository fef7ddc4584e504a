use clap::Args;
use serde::Serialize;

use crate::audit::{AuditError, Problem};
use crate::command::context::Context;
use crate::error::Result;

#[derive(Debug, Args)]
pub struct Verify {
    /// Print the verdict as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Verdict<'a> {
    success: bool,
    records: Option<u64>,
    problem: Option<&'a Problem>,
    error: Option<String>,
    /// The record of the last acknowledged break.
    #[serde(skip_serializing_if = "Option::is_none")]
    acknowledged: Option<u64>,
}

impl Verify {
    pub fn run(self, ctx: &Context) -> Result<()> {
        match (ctx.home.audit_log().verify(), self.json) {
            (Ok(v), false) => {
                let records = crate::command::count::count(v.records, "record");
                ctx.out.text(&match v.acknowledged {
                    None => format!("audit log ok: {records}\n"),
                    Some(seq) => format!(
                        "audit log ok: {records} (a break was acknowledged in record {seq})\n"
                    ),
                })
            }
            (Ok(v), true) => ctx.out.json(&Verdict {
                success: true,
                records: Some(v.records),
                problem: None,
                error: None,
                acknowledged: v.acknowledged,
            }),
            (Err(e), true) if matches!(e, AuditError::Broken { .. }) => {
                if let AuditError::Broken { problem, .. } = &e {
                    ctx.out.json(&Verdict {
                        success: false,
                        records: None,
                        problem: Some(problem),
                        error: Some(problem.to_string()),
                        acknowledged: None,
                    })?;
                }
                Err(e.into())
            }
            (Err(e), _) => Err(e.into()),
        }
    }
}
