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
        ctx.keys().adopt_default(&info)?;
        if self.json {
            return ctx.out.json(&info);
        }
        let role = role_line(ctx, &info.name, &info.purpose)?;
        ctx.out.report(&format!(
            "generated {} key `{}` for {}\nkey id: {}\npublic key: stella authority keys export {} --public\n{role}",
            info.algorithm, info.name, info.purpose, info.key_id, info.name
        ))
    }
}

/// Whether the new federation key signs by default, and if not, how it will.
fn role_line(ctx: &Context, name: &str, purpose: &str) -> Result<String> {
    if purpose != crate::keys::FEDERATION {
        return Ok(String::new());
    }
    Ok(match ctx.keys().roles()?.default {
        Some(d) if d == name => "default: yes, it signs exports from now on\n".to_owned(),
        Some(d) => format!(
            "default: no, `{d}` still signs; once peers trust this key, `stella authority keys default {name}`\n"
        ),
        None => format!("default: none; `stella authority keys default {name}` makes it so\n"),
    })
}
