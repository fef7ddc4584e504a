//! A minimal `log` backend on stderr, as text or JSON lines.
//!
//! Text: `stella: LEVEL: message`, followed by ` key=value` for each
//! structured field the call passed. JSON (`--log-format json`): one object
//! per line with `time`, `level`, `target`, `message` and the structured
//! fields (`site_id`, `bundle_hash`, `imported_cursor`, … where the call
//! has them), named as `--json` documents name them (`man/stella-json.7`).
//! Fields travel with `log`'s key-value feature (`info!(site_id = s; "…")`):
//! it adds no dependency, and the fields stay optional for the many calls
//! that have none.
//!
//! The level comes from `-q`/`-v`, else the config's `Logging.LogLevel`,
//! else warnings only. User-facing results are never log records.
//!
//! Everything else a command writes on stderr goes through here too, so
//! that one rule holds for every line: [`notice`] (what a command tells
//! the operator besides its data: nothing under `-q`), and [`error`] (the
//! final `error:` line, always). With `--log-format json` each of them is
//! one JSON object per line, like a log record (`level` `info`, `warn` or
//! `error`, `message` the text).

use std::sync::atomic::{AtomicBool, Ordering};

use log::kv::{Key, Value, VisitSource};
use log::{LevelFilter, Log, Metadata, Record};
use serde_json::{Map, Value as Json};

use crate::config::LogLevel;

use super::global::{GlobalArgs, LogFormat};

struct StderrLogger {
    json: std::sync::atomic::AtomicBool,
}

impl Log for StderrLogger {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= log::max_level() && metadata.target().starts_with("stella")
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let mut fields = Fields(Vec::new());
        let _ = record.key_values().visit(&mut fields);
        let level = record.level().as_str().to_ascii_lowercase();
        let line = if self.json.load(std::sync::atomic::Ordering::Relaxed) {
            json_line(&level, record, fields.0)
        } else {
            let extra: String = fields.0.iter().map(|(k, v)| format!(" {k}={v}")).collect();
            // One record, one line: messages quote peers' and clients' values.
            let line = format!("stella: {level}: {}{extra}", record.args());
            crate::escape::terminal(&line).into_owned()
        };
        eprintln!("{line}");
    }

    fn flush(&self) {}
}

fn json_line(level: &str, record: &Record, fields: Vec<(String, String)>) -> String {
    let mut map = Map::new();
    map.insert("time".into(), Json::String(crate::site::now()));
    map.insert("level".into(), Json::String(level.to_owned()));
    map.insert("target".into(), Json::String(record.target().to_owned()));
    map.insert("message".into(), Json::String(record.args().to_string()));
    for (key, value) in fields {
        map.insert(key, Json::String(value));
    }
    Json::Object(map).to_string()
}

/// The structured fields of one record, as text.
struct Fields(Vec<(String, String)>);

impl<'kvs> VisitSource<'kvs> for Fields {
    fn visit_pair(&mut self, key: Key<'kvs>, value: Value<'kvs>) -> Result<(), log::kv::Error> {
        self.0.push((key.as_str().to_owned(), value.to_string()));
        Ok(())
    }
}

static LOGGER: StderrLogger = StderrLogger {
    json: std::sync::atomic::AtomicBool::new(false),
};

/// `-q`: notices are dropped.
static QUIET: AtomicBool = AtomicBool::new(false);

/// Sets `-q` and `--log-format` for notices and the final error, before
/// the command runs (the log level waits for the config: [`init`]).
pub fn configure(global: &GlobalArgs) {
    let json = matches!(global.log_format, LogFormat::Json);
    LOGGER.json.store(json, Ordering::Relaxed);
    QUIET.store(global.quiet, Ordering::Relaxed);
}

/// Whether stderr lines are JSON (`--log-format json`).
pub fn json() -> bool {
    LOGGER.json.load(Ordering::Relaxed)
}

/// Whether `-q` silenced everything on stderr but errors.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Text for the operator on stderr (a report, a note, a warning), line by
/// line; `level` is `info` or `warn`. Nothing under `-q`.
pub fn notice(level: &str, text: &str) {
    if quiet() {
        return;
    }
    if json() {
        for line in text.lines() {
            eprintln!("{}", plain_json_line(level, line));
        }
    } else {
        eprint!("{text}");
    }
}

/// A `--json` document that goes to stderr because the bundle took
/// stdout: as it is (one line with `--log-format json`); nothing under `-q`.
pub fn document(text: &str) {
    if !quiet() {
        eprint!("{text}");
    }
}

/// The final error line: `error: TEXT`, one line escaped for the terminal,
/// or a JSON object with `level` `error`.
pub fn error(text: &str) {
    if json() {
        eprintln!("{}", plain_json_line("error", text));
    } else {
        eprintln!("error: {}", crate::escape::terminal(text));
    }
}

/// Whether the raw command line (or `STELLA_LOG_FORMAT`) asks for JSON
/// lines, for the errors clap reports before the flags are parsed; if so,
/// [`error`] writes JSON from now on.
pub fn json_requested(args: &[String]) -> bool {
    let from_args = args
        .windows(2)
        .any(|w| w[0] == "--log-format" && w[1] == "json")
        || args.iter().any(|a| a == "--log-format=json");
    let json = from_args || std::env::var("STELLA_LOG_FORMAT").is_ok_and(|v| v == "json");
    LOGGER.json.store(json, Ordering::Relaxed);
    json
}

fn plain_json_line(level: &str, message: &str) -> String {
    let mut map = Map::new();
    map.insert("time".into(), Json::String(crate::site::now()));
    map.insert("level".into(), Json::String(level.to_owned()));
    map.insert("target".into(), Json::String("stella".to_owned()));
    map.insert("message".into(), Json::String(message.to_owned()));
    Json::Object(map).to_string()
}

pub fn init(global: &GlobalArgs, configured: Option<LogLevel>) {
    let level = if global.quiet {
        LevelFilter::Error
    } else {
        match global.verbose {
            0 => configured.map_or(LevelFilter::Warn, from_config),
            1 => LevelFilter::Info,
            2 => LevelFilter::Debug,
            _ => LevelFilter::Trace,
        }
    };
    let json = matches!(global.log_format, LogFormat::Json);
    LOGGER
        .json
        .store(json, std::sync::atomic::Ordering::Relaxed);
    // A second init (tests, or a command that loads twice) keeps the first.
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(level);
    }
}

fn from_config(level: LogLevel) -> LevelFilter {
    match level {
        LogLevel::Trace => LevelFilter::Trace,
        LogLevel::Debug => LevelFilter::Debug,
        LogLevel::Information => LevelFilter::Info,
        LogLevel::Warning => LevelFilter::Warn,
        LogLevel::Error | LogLevel::Critical => LevelFilter::Error,
        LogLevel::None => LevelFilter::Off,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_lines_carry_the_structured_fields() {
        let args = format_args!("imported");
        let record = log::Record::builder()
            .args(args)
            .level(log::Level::Info)
            .target("stella::x")
            .build();
        let fields = vec![("site_id".to_owned(), "site-a".to_owned())];
        let line: serde_json::Value =
            serde_json::from_str(&super::json_line("info", &record, fields)).unwrap();
        assert_eq!(line["level"], "info");
        assert_eq!(line["message"], "imported");
        assert_eq!(line["site_id"], "site-a");
        assert_eq!(line["target"], "stella::x");
    }
}
