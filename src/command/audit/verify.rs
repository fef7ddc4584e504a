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
    ok: bool,
    records: Option<u64>,
    problem: Option<&'a Problem>,
    message: Option<String>,
}

impl Verify {
    pub fn run(self, ctx: &Context) -> Result<()> {
        match (ctx.home.audit_log().verify(), self.json) {
            (Ok(v), false) => ctx.out.text(&format!(
                "audit log ok: {}\n",
                crate::command::count::count(v.records, "record")
            )),
            (Ok(v), true) => ctx.out.json(&Verdict {
                ok: true,
                records: Some(v.records),
                problem: None,
                message: None,
            }),
            (Err(e), true) if matches!(e, AuditError::Broken { .. }) => {
                if let AuditError::Broken { problem, .. } = &e {
                    ctx.out.json(&Verdict {
                        ok: false,
                        records: None,
                        problem: Some(problem),
                        message: Some(problem.to_string()),
                    })?;
                }
                Err(e.into())
            }
            (Err(e), _) => Err(e.into()),
        }
    }
}
