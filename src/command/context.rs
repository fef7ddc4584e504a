//! What every command runs with: the opened site (`crate::site::Site`),
//! built once from the global flags, the environment and the config file,
//! plus the CLI's own stdout and progress settings.
//!
//! Invariant: the logger is set up right after the config is read, before
//! anything else can log.

use std::ops::Deref;

use crate::error::Result;
use crate::site::{Location, Site};

use super::global::GlobalArgs;
use super::output::Output;

pub struct Context {
    pub site: Site,
    pub out: Output,
    /// `--progress`, and whether `-q` silenced it.
    progress: (super::progress::ProgressMode, bool),
    /// How many `-v` were given (`--verbose`).
    pub verbose: u8,
}

impl Context {
    pub fn load(global: &GlobalArgs) -> Result<Context> {
        let site = Site::open(&Location {
            home: global.home.as_deref(),
            config: global.config.as_deref(),
            database_url: global.database_url.as_deref(),
            lock_wait: global.lock_wait,
        })?;
        super::logger::init(global, site.config.log_level());
        log::debug!(
            "home `{}`, config `{}`",
            site.home.root().display(),
            site.config_path.display()
        );
        Ok(Context {
            site,
            out: Output::stdout(),
            // Bars are no JSON lines: `--log-format json` hides them as `-q` does.
            progress: (
                global.progress,
                global.quiet || matches!(global.log_format, super::global::LogFormat::Json),
            ),
            verbose: global.verbose,
        })
    }

    /// Where the core's progress reports go: bars on stderr, or nowhere.
    pub fn progress(&self) -> Box<dyn crate::progress::Progress> {
        super::progress::reporter(self.progress.0, self.progress.1)
    }
}

/// Commands read the site's home, config and store through the context.
impl Deref for Context {
    type Target = Site;

    fn deref(&self) -> &Site {
        &self.site
    }
}
