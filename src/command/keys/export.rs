use clap::Args;

use crate::command::context::Context;
use crate::error::{Error, Result};

#[derive(Debug, Args)]
pub struct Export {
    /// Key name
    name: String,
    /// Print the public key (private keys are never exported)
    #[arg(long)]
    public: bool,
}

impl Export {
    pub fn run(self, ctx: &Context) -> Result<()> {
        if !self.public {
            return Err(Error::Usage(
                "private keys are never exported: pass --public for the public key".into(),
            ));
        }
        let pem = ctx.keys().public_pem(&self.name)?;
        ctx.out.raw(&pem)
    }
}
