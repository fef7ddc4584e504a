use clap::Args;

use crate::command::context::Context;
use crate::error::Result;

#[derive(Debug, Args)]
pub struct Retire {
    /// The key that signs no more (its public half is kept)
    name: String,
}

impl Retire {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let _lock = ctx.writer()?;
        let (info, newly) = ctx.keys().retire(&self.name)?;
        let what = if newly { "retired" } else { "already retired" };
        ctx.out.report(&format!(
            "{what}: key `{}` ({}) signs no more; its public key stays for verifying what it signed\n",
            info.name, info.key_id
        ))
    }
}
