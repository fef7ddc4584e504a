//! Progress bars for the core's [`Progress`] reports, drawn with indicatif
//! on stderr only — never on stdout, which carries data.
//!
//! `--progress auto` (the default) draws only when stderr is a terminal;
//! `always` draws even into a pipe or file (plain ANSI line redraws);
//! `never` and `-q` draw nothing. When nothing is drawn the core gets
//! [`NoProgress`], so the measured paths pay nothing for bars. indicatif
//! limits redraws to 20 per second; the core batches its reports.

use std::cell::RefCell;
use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle, TermLike};

use crate::progress::{NoProgress, Progress, Unit};

/// `--progress`: when to draw bars on stderr.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ProgressMode {
    /// Only when stderr is a terminal
    #[default]
    Auto,
    /// Always, even when stderr is a pipe or a file
    Always,
    /// Never
    Never,
}

/// The reporter a command passes to the core.
pub fn reporter(mode: ProgressMode, quiet: bool) -> Box<dyn Progress> {
    match mode {
        _ if quiet => Box::new(NoProgress),
        ProgressMode::Never => Box::new(NoProgress),
        ProgressMode::Auto if !std::io::stderr().is_terminal() => Box::new(NoProgress),
        ProgressMode::Auto => Box::new(Bars::new(false)),
        ProgressMode::Always => Box::new(Bars::new(true)),
    }
}

/// One bar per phase, replaced when the next phase starts.
struct Bars {
    forced: bool,
    bar: RefCell<Option<ProgressBar>>,
}

impl Bars {
    fn new(forced: bool) -> Bars {
        Bars {
            forced,
            bar: RefCell::new(None),
        }
    }

    fn target(&self) -> ProgressDrawTarget {
        if self.forced {
            ProgressDrawTarget::term_like_with_hz(Box::new(RawStderr), 20)
        } else {
            ProgressDrawTarget::stderr()
        }
    }
}

impl Progress for Bars {
    fn start(&self, phase: &str, unit: Unit, total: Option<u64>) {
        self.finish();
        let bar = ProgressBar::with_draw_target(total, self.target())
            .with_style(style(unit, total.is_some()))
            .with_prefix(phase.to_owned());
        bar.tick();
        *self.bar.borrow_mut() = Some(bar);
    }

    fn advance(&self, n: u64) {
        if let Some(bar) = self.bar.borrow().as_ref() {
            bar.inc(n);
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.borrow_mut().take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Bars {
    /// A command that fails mid-phase leaves no bar behind its error line.
    fn drop(&mut self) {
        self.finish();
    }
}

fn style(unit: Unit, known_total: bool) -> ProgressStyle {
    let template = match (unit, known_total) {
        (Unit::Bytes, true) => {
            "{prefix:>10} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}"
        }
        (Unit::Items, true) => "{prefix:>10} [{bar:30}] {pos}/{len} items {rate} eta {eta}",
        (Unit::Bytes, false) => "{prefix:>10} {spinner} {bytes} {binary_bytes_per_sec}",
        (Unit::Items, false) => "{prefix:>10} {spinner} {pos} items {rate}",
    };
    ProgressStyle::with_template(template)
        .expect("the templates are valid")
        .with_key(
            "rate",
            |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}/s", state.per_sec());
            },
        )
        .progress_chars("=> ")
}

/// stderr with ANSI cursor moves, whether or not it is a terminal
/// (indicatif's own stderr target hides itself off a terminal).
#[derive(Debug)]
struct RawStderr;

impl RawStderr {
    fn put(&self, text: &str) -> std::io::Result<()> {
        std::io::stderr().lock().write_all(text.as_bytes())
    }

    fn csi(&self, n: usize, code: char) -> std::io::Result<()> {
        if n == 0 {
            return Ok(());
        }
        self.put(&format!("\x1b[{n}{code}"))
    }
}

impl TermLike for RawStderr {
    fn width(&self) -> u16 {
        80
    }
    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        self.csi(n, 'A')
    }
    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        self.csi(n, 'B')
    }
    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        self.csi(n, 'C')
    }
    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        self.csi(n, 'D')
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.put(&format!("{s}\n"))
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.put(s)
    }
    fn clear_line(&self) -> std::io::Result<()> {
        self.put("\r\x1b[2K")
    }
    fn flush(&self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}
