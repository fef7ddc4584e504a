//! stella: offline-first federation of canonical vulnerability advisories.
//!
//! A site ingests advisories (`ingest`) into its store (`store`), exports the
//! full state or the delta since a peer's cursor as a signed, self-verifying
//! bundle (`export`, `bundle`), and imports bundles from peers (`import`):
//! size cap → manifest and signature → site policy → cursor → every member
//! verified while spooled → one atomic apply with a ledger row and events.
//!
//! Layers, top to bottom (README "Architecture"; `tests/architecture.rs`
//! checks the direction): `cli`/`command` parse flags and print; `site`
//! opens a site and runs each use case (`site::import::import_bundle`,
//! `site::export::export_bundle`); the use cases (`import`, `export`,
//! `ingest`, …) sit on the formats and stores (`bundle`, `store`, …).
//!
//! The core modules never print, exit or read the environment; `cli` and
//! `command` do, and `run` maps every error to one exit code (`exit`).
//! The `test-hooks` feature adds the tests' `STELLA_TEST_*` hooks
//! (`site::hooks`).

pub mod audit;
pub mod bundle;
// The doc comments of clap arguments are their `--help` text and man pages,
// where `<home>`-style placeholders are the convention, not HTML.
#[allow(rustdoc::invalid_html_tags)]
pub mod cli;
#[allow(rustdoc::invalid_html_tags)]
pub mod command;
pub mod config;
#[cfg(test)]
mod convergence;
pub mod cursor;
pub mod doctor;
pub mod durable;
pub mod error;
pub mod escape;
pub mod exit;
pub mod export;
pub mod import;
pub mod ingest;
pub mod journal;
pub mod keys;
pub mod metrics;
pub mod model;
pub mod osv;
pub mod osv_out;
pub mod progress;
pub mod quarantine;
#[cfg(feature = "serve")]
pub mod serve;
pub mod site;
pub mod store;
pub mod sync;
pub mod synth;
pub mod trust;
pub mod units;

use std::process::ExitCode;

use clap::Parser;

use crate::exit::Exit;

/// Parses the command line, runs the command, prints any error once and
/// returns the documented exit code.
pub fn run() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() && command::logger::json_requested(&args) => {
            // `--log-format json`: the usage error as one JSON line too.
            let text = e.render().to_string();
            let text = text.trim_end().strip_prefix("error: ").unwrap_or(&text);
            command::logger::error(text);
            return Exit::Usage.into();
        }
        Err(e) => {
            let _ = e.print();
            let code = if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            };
            return code.into();
        }
    };
    match cli.run() {
        Ok(()) => Exit::Success.into(),
        Err(e) if e.is_broken_pipe() => Exit::Success.into(),
        Err(e) => {
            // Messages quote values from bundles, stores and requests: one
            // line, escaped (or one JSON line).
            command::logger::error(&e.to_string());
            e.exit().into()
        }
    }
}
