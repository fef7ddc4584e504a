//! `stella doctor [--json] [--tls-cert FILE]`: checks the home, config,
//! keys, store, journal, clock and disk (and the TLS certificate), and prints one line per finding (or one JSON document).
//! Exits 0 when everything is ok or only warns, 15 (`Unhealthy`) when a
//! check fails. Every finding is printed before the exit code is decided.

use clap::Args;
use serde::Serialize;

use crate::command::context::Context;
use crate::command::global::GlobalArgs;
use crate::command::output::Output;
use crate::doctor::{self, Finding, Status};
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::site::Home;
use crate::site::now_millis;

#[derive(Debug, Args)]
pub struct Doctor {
    /// Print the findings as one JSON document
    #[arg(long)]
    json: bool,
    /// Also check this TLS certificate (PEM, as `feedser serve --tls-cert`): fails when expired, warns within 30 days
    #[cfg(feature = "serve")]
    #[arg(long, env = "STELLA_TLS_CERT_FILE", value_name = "FILE")]
    tls_cert: Option<std::path::PathBuf>,
}

#[derive(Serialize)]
struct Report<'a> {
    success: bool,
    checks: &'a [Finding],
}

impl Doctor {
    pub fn run(self, global: &GlobalArgs) -> Result<()> {
        #[allow(unused_mut)]
        let mut findings = findings(global);
        #[cfg(feature = "serve")]
        if let Some(cert) = &self.tls_cert {
            findings.push(doctor::tls_certificate(cert, now_millis()));
        }
        let failed = findings.iter().filter(|f| f.status == Status::Fail).count();
        let out = Output::stdout();
        if self.json {
            out.json(&Report {
                success: failed == 0,
                checks: &findings,
            })?;
        } else {
            out.text(&render(&findings))?;
        }
        if failed == 0 {
            return Ok(());
        }
        Err(Error::Reported {
            message: format!(
                "{failed} of {} failed (see above)",
                crate::command::count::count(findings.len() as u64, "check")
            ),
            exit: Exit::Unhealthy,
        })
    }
}

fn findings(global: &GlobalArgs) -> Vec<Finding> {
    let home = Home::resolve(global.home.as_deref());
    let mut findings = vec![doctor::home(home.root())];
    if findings[0].status == Status::Fail && global.config.is_none() {
        return findings;
    }
    let ctx = match Context::load(global) {
        Ok(ctx) => ctx,
        Err(e) => {
            findings.push(Finding::new(Status::Fail, "config", e.to_string()));
            return findings;
        }
    };
    findings.push(doctor::config(&ctx.config_path, &ctx.config));
    findings.extend(doctor::keys(&ctx.home.keys_dir(), now_millis()));
    findings.extend(store_findings(&ctx));
    findings.push(match ctx.journal() {
        Ok(journal) => doctor::journal(&journal, &ctx.home.spool_dir()),
        Err(e) => Finding::new(Status::Fail, "journal", e.to_string()),
    });
    findings.push(doctor::audit(&ctx.home.audit_log()));
    findings.push(doctor::disk(ctx.home.root()));
    findings
}

/// The store opens (so its schema version is current) and its newest change
/// is not ahead of the clock.
fn store_findings(ctx: &Context) -> Vec<Finding> {
    let store = match ctx.open_store() {
        Ok(store) => store,
        Err(e) => {
            let why = "not checked: the store did not open";
            return vec![
                Finding::new(Status::Fail, "store", e.to_string()),
                Finding::new(Status::Warn, "clock", why),
                Finding::new(Status::Warn, "links", why),
            ];
        }
    };
    let what = match &ctx.database_url {
        Some(_) => format!(
            "PostgreSQL schema `{}`",
            ctx.config.federation.database_schema
        ),
        None => format!("SQLite `{}`", ctx.home.store_file().display()),
    };
    let opened = Finding::new(Status::Ok, "store", format!("{what}: schema current"));
    let clock = match store.local_cursor() {
        Ok(newest) => doctor::clock(newest, now_millis()),
        Err(e) => Finding::new(Status::Fail, "clock", e.to_string()),
    };
    let links = match (store.sites(), store.sent()) {
        (Ok(sites), Ok(sent)) => {
            let default = ctx.import_policy().default_on_conflict;
            doctor::two_way_links(&sites, &sent, default)
        }
        (Err(e), _) | (_, Err(e)) => Finding::new(Status::Fail, "links", e.to_string()),
    };
    vec![opened, clock, links]
}

fn render(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("{:<4}  {:<7}  {}\n", f.status.as_str(), f.check, f.detail))
        .collect()
}
