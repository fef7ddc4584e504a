use std::path::PathBuf;

use clap::Args;

use crate::command::context::Context;
use crate::error::Result;
use crate::site::now;

#[derive(Debug, Args)]
pub struct Generate {
    /// Key name, e.g. federation-2026
    #[arg(long)]
    name: String,
    /// Signature algorithm; only ES256 (ECDSA P-256 with SHA-256) is supported
    #[arg(long, default_value = "ES256")]
    algorithm: String,
    /// What the key signs
    #[arg(long, default_value = "federation")]
    purpose: String,
    /// Encrypt the private key with the passphrase in this file
    #[arg(long, env = "STELLA_KEY_PASSPHRASE_FILE", value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    /// Print the result as JSON
    #[arg(long)]
    json: bool,
}

impl Generate {
    pub fn run(self, ctx: &Context) -> Result<()> {
        let _lock = ctx.writer()?;
        let passphrase = super::super::read_passphrase(self.passphrase_file.as_deref())?;
        let info = ctx.keys().generate(
            &self.name,
            &self.algorithm,
            &self.purpose,
            passphrase.as_deref().map(String::as_str),
            &now(),
        )?;
        if self.json {
            return ctx.out.json(&info);
        }
        ctx.out.text(&format!(
            "generated {} key `{}` for {}\nkey id: {}\npublic key: stella authority keys export {} --public\n",
            info.algorithm, info.name, info.purpose, info.key_id, info.name
        ))
    }
}
