use clap::Args;

use crate::command::context::Context;
use crate::error::{Error, Result};
use crate::site::now;

#[derive(Debug, Args)]
pub struct Acknowledge {
    /// Why the break is accepted (who looked, what was found); kept in the log
    #[arg(long, value_name = "TEXT")]
    reason: String,
}

impl Acknowledge {
    pub fn run(self, ctx: &Context) -> Result<()> {
        if self.reason.trim().is_empty() {
            return Err(Error::Usage(
                "--reason is empty: say why the break is accepted".into(),
            ));
        }
        let log = ctx.home.audit_log();
        let (problem, record) = log.acknowledge(self.reason.trim(), now())?;
        ctx.out.report(&format!(
            "acknowledged: {problem}\nrecorded as record {} of `{}`; appends resume\n",
            record.seq,
            log.path().display()
        ))
    }
}
