//! A minimal `log` backend: `stella: LEVEL: message` lines on stderr.
//!
//! The level comes from `-q`/`-v`, else the config's `Logging.LogLevel`,
//! else warnings only. User-facing results are never log records.

use log::{LevelFilter, Log, Metadata, Record};

use crate::config::LogLevel;

use super::GlobalArgs;

struct StderrLogger;

impl Log for StderrLogger {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= log::max_level() && metadata.target().starts_with("stella")
    }

    fn log(&self, record: &Record) {
        if self.enabled(record.metadata()) {
            let level = record.level().as_str().to_ascii_lowercase();
            eprintln!("stella: {level}: {}", record.args());
        }
    }

    fn flush(&self) {}
}

static LOGGER: StderrLogger = StderrLogger;

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
