use clap::Args;

use crate::command::context::Context;
use crate::error::Result;

#[derive(Debug, Args)]
pub struct SetDefault {
    /// The federation key that signs exports from now on
    name: String,
}

impl SetDefault {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let _lock = ctx.writer()?;
        let info = ctx.keys().set_default(&self.name)?;
        ctx.out.report(&format!(
            "default federation key: `{}` ({})\n",
            info.name, info.key_id
        ))
    }
}
