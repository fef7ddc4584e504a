//! Counters for monitoring, rendered in the Prometheus text format: the
//! HTTP server's `/metrics` (running totals since it started) and the
//! node_exporter textfile `--metrics-file` writes for one command run.
//!
//! Label sets are kept in `BTreeMap`s, so the rendering is deterministic:
//! families in a fixed order, samples sorted by their labels. Times are
//! unix milliseconds, rendered as seconds with three decimals.
//!
//! Invariant: this module only counts and renders; it never reads the
//! clock or the environment (callers pass times in), and [`write_textfile`]
//! replaces the file atomically (temp file in the same directory, fsync,
//! rename), so node_exporter never reads half a file. The textfile holds
//! totals: [`update_textfile`] reads it back ([`parse`]) and adds one run's
//! counts, as counters in the Prometheus sense must (they only go up).

mod file;
mod parse;
mod render;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use file::{update_textfile, write_textfile};
pub use parse::{Malformed, parse};

/// What was done: the `operation` label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Operation {
    Import,
    Export,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Import => "import",
            Operation::Export => "export",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Moved {
    bundles: u64,
    items: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Durations {
    sum_seconds: f64,
    count: u64,
}

/// The counters of one process (a command run, or the server's lifetime).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metrics {
    /// By (operation, site): the source site for imports, this site for exports.
    moved: BTreeMap<(Operation, String), Moved>,
    /// By (operation, site): unix ms of the last success.
    last_success: BTreeMap<(Operation, String), i64>,
    /// By (operation, site, reason code); the site is empty when unknown
    /// (and its label left out when rendered).
    failures: BTreeMap<(Operation, String, String), u64>,
    durations: BTreeMap<Operation, Durations>,
    /// HTTP requests answered, by (route, status).
    requests: BTreeMap<(String, u16), u64>,
    /// Rows of committed imports, by (source site, outcome): `applied`,
    /// `stale`, `echo`, `conflict`, `refused`.
    rows: BTreeMap<(String, &'static str), u64>,
}

impl Metrics {
    /// A successful import or export of `bundles` bundles holding `items`
    /// items at `at_ms` (a replayed bundle: zero bundles, still a success).
    pub fn success(&mut self, op: Operation, site: &str, bundles: u64, items: u64, at_ms: i64) {
        let moved = self.moved.entry((op, site.to_owned())).or_default();
        moved.bundles += bundles;
        moved.items += items;
        let last = self.last_success.entry((op, site.to_owned())).or_default();
        *last = (*last).max(at_ms);
    }

    /// A refused or failed operation; `site` is `None` when it was never known.
    pub fn failure(&mut self, op: Operation, site: Option<&str>, reason: &str) {
        let key = (op, site.unwrap_or("").to_owned(), reason.to_owned());
        *self.failures.entry(key).or_default() += 1;
    }

    /// How long one operation took, whatever its outcome.
    pub fn duration(&mut self, op: Operation, seconds: f64) {
        let d = self.durations.entry(op).or_default();
        d.sum_seconds += seconds;
        d.count += 1;
    }

    /// `n` rows of a committed import from `site` ended as `outcome`.
    pub fn import_rows(&mut self, site: &str, outcome: &'static str, n: u64) {
        if n > 0 {
            *self.rows.entry((site.to_owned(), outcome)).or_default() += n;
        }
    }

    /// One HTTP request answered.
    pub fn request(&mut self, route: &str, status: u16) {
        *self.requests.entry((route.to_owned(), status)).or_default() += 1;
    }

    /// Adds the counts of `run` to these totals: counters add up, a
    /// last-success time is the later of the two.
    pub fn accumulate(&mut self, run: Metrics) {
        for (key, m) in run.moved {
            let total = self.moved.entry(key).or_default();
            total.bundles += m.bundles;
            total.items += m.items;
        }
        for (key, at) in run.last_success {
            let last = self.last_success.entry(key).or_insert(at);
            *last = (*last).max(at);
        }
        for (key, n) in run.failures {
            *self.failures.entry(key).or_default() += n;
        }
        for (op, d) in run.durations {
            let total = self.durations.entry(op).or_default();
            total.sum_seconds += d.sum_seconds;
            total.count += d.count;
        }
        for (key, n) in run.requests {
            *self.requests.entry(key).or_default() += n;
        }
        for (key, n) in run.rows {
            *self.rows.entry(key).or_default() += n;
        }
    }

    /// The Prometheus text exposition (format 0.0.4).
    pub fn render(&self) -> String {
        render::render(self)
    }
}
