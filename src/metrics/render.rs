//! The Prometheus text format: `# HELP`, `# TYPE`, then one line per
//! sample; families without samples are left out.

use std::fmt::Write;

use super::Metrics;

pub const LAST_SUCCESS: &str = "stella_last_success_timestamp_seconds";

pub fn render(m: &Metrics) -> String {
    let mut out = String::new();
    let last: Vec<(String, String)> = m
        .last_success
        .iter()
        .map(|((op, site), ms)| {
            (
                labels(&[("operation", op.as_str()), ("site_id", site)]),
                seconds(*ms),
            )
        })
        .collect();
    family(
        &mut out,
        LAST_SUCCESS,
        "gauge",
        "Unix time of the last successful import or export, by site.",
        &last,
    );
    for (op, what, name) in [
        (
            super::Operation::Import,
            "bundles",
            "stella_bundles_imported_total",
        ),
        (
            super::Operation::Import,
            "items",
            "stella_items_imported_total",
        ),
        (
            super::Operation::Export,
            "bundles",
            "stella_bundles_exported_total",
        ),
        (
            super::Operation::Export,
            "items",
            "stella_items_exported_total",
        ),
    ] {
        let samples: Vec<(String, String)> = m
            .moved
            .iter()
            .filter(|((o, _), _)| *o == op)
            .map(|((_, site), moved)| {
                let value = if what == "bundles" {
                    moved.bundles
                } else {
                    moved.items
                };
                (labels(&[("site_id", site)]), value.to_string())
            })
            .collect();
        let help = format!("{} {}ed, by site.", capitalize(what), op.as_str());
        family(&mut out, name, "counter", &help, &samples);
    }
    let failures: Vec<(String, String)> = m
        .failures
        .iter()
        .map(|((op, site, reason), n)| {
            // A refusal before the bundle named its site has no `site_id`
            // (never `site_id=""`).
            let l = match site.as_str() {
                "" => labels(&[("operation", op.as_str()), ("reason", reason)]),
                site => labels(&[
                    ("operation", op.as_str()),
                    ("site_id", site),
                    ("reason", reason),
                ]),
            };
            (l, n.to_string())
        })
        .collect();
    family(
        &mut out,
        "stella_failures_total",
        "counter",
        "Failed or refused imports and exports, by site and reason code.",
        &failures,
    );
    let rows: Vec<(String, String)> = m
        .rows
        .iter()
        .map(|((site, outcome), n)| {
            let l = labels(&[("site_id", site), ("outcome", outcome)]);
            (l, n.to_string())
        })
        .collect();
    family(
        &mut out,
        "stella_import_rows_total",
        "counter",
        "Rows of committed imports, by source site and outcome (applied, stale, echo, conflict, refused).",
        &rows,
    );
    durations(&mut out, m);
    let requests: Vec<(String, String)> = m
        .requests
        .iter()
        .map(|((route, status), n)| {
            (
                labels(&[("route", route), ("status", &status.to_string())]),
                n.to_string(),
            )
        })
        .collect();
    family(
        &mut out,
        "stella_http_requests_total",
        "counter",
        "HTTP requests answered, by route and status.",
        &requests,
    );
    out
}

fn durations(out: &mut String, m: &Metrics) {
    if m.durations.is_empty() {
        return;
    }
    let name = "stella_operation_duration_seconds";
    let _ = writeln!(out, "# HELP {name} Time spent in imports and exports.");
    let _ = writeln!(out, "# TYPE {name} summary");
    for (op, d) in &m.durations {
        let l = labels(&[("operation", op.as_str())]);
        let _ = writeln!(out, "{name}_sum{l} {:.3}", d.sum_seconds);
        let _ = writeln!(out, "{name}_count{l} {}", d.count);
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str, samples: &[(String, String)]) {
    if samples.is_empty() {
        return;
    }
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
    for (labels, value) in samples {
        let _ = writeln!(out, "{name}{labels} {value}");
    }
}

/// `{a="x",b="y"}`, values escaped as the text format requires.
fn labels(pairs: &[(&str, &str)]) -> String {
    let inner: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect();
    format!("{{{}}}", inner.join(","))
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Unix ms as seconds with three decimals (`1736937000.123`).
pub fn seconds(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let abs = ms.unsigned_abs();
    format!("{sign}{}.{:03}", abs / 1000, abs % 1000)
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_ascii_uppercase().to_string() + chars.as_str()
    })
}
