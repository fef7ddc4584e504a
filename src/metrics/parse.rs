//! Reading a textfile this module rendered back into [`Metrics`], so a run
//! can add its counts to the totals of the runs before it.
//!
//! Invariant: every sample of a family this module renders must parse, or
//! the whole file is refused ([`Malformed`]); samples of other families
//! (written by a newer version, or by hand) are skipped.

use std::collections::BTreeMap;

use super::render::LAST_SUCCESS;
use super::{Metrics, Operation};

/// The first line of a textfile that is not what this module writes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line} is not a sample this version writes: `{text}`")]
pub struct Malformed {
    pub line: usize,
    pub text: String,
}

type Labels = BTreeMap<String, String>;

/// Parses a whole textfile.
pub fn parse(text: &str) -> Result<Metrics, Malformed> {
    let mut metrics = Metrics::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let malformed = || Malformed {
            line: i + 1,
            text: line.chars().take(120).collect(),
        };
        let (name, labels, value) = sample(line).ok_or_else(malformed)?;
        add(&mut metrics, name, &labels, value).ok_or_else(malformed)?;
    }
    Ok(metrics)
}

/// Adds one sample; `None` when a known family's sample is wrong.
fn add(m: &mut Metrics, name: &str, l: &Labels, value: &str) -> Option<()> {
    let get = |k: &str| l.get(k).cloned();
    match name {
        LAST_SUCCESS => {
            let key = (operation(l)?, get("site_id")?);
            m.last_success.insert(key, millis(value)?);
        }
        "stella_bundles_imported_total" | "stella_items_imported_total" => {
            moved(m, Operation::Import, name, get("site_id")?, count(value)?);
        }
        "stella_bundles_exported_total" | "stella_items_exported_total" => {
            moved(m, Operation::Export, name, get("site_id")?, count(value)?);
        }
        "stella_failures_total" => {
            // A refusal before any site was named has no `site_id` label.
            let site = get("site_id").unwrap_or_default();
            let key = (operation(l)?, site, get("reason")?);
            *m.failures.entry(key).or_default() += count(value)?;
        }
        "stella_import_rows_total" => {
            let outcome = ["applied", "stale", "echo", "conflict", "refused"]
                .into_iter()
                .find(|o| l.get("outcome").is_some_and(|v| v == o))?;
            *m.rows.entry((get("site_id")?, outcome)).or_default() += count(value)?;
        }
        "stella_operation_duration_seconds_sum" => {
            let sum = value.parse::<f64>().ok().filter(|v| v.is_finite())?;
            m.durations.entry(operation(l)?).or_default().sum_seconds += sum;
        }
        "stella_operation_duration_seconds_count" => {
            m.durations.entry(operation(l)?).or_default().count += count(value)?;
        }
        "stella_http_requests_total" => {
            let key = (get("route")?, get("status")?.parse().ok()?);
            *m.requests.entry(key).or_default() += count(value)?;
        }
        _ => {}
    }
    Some(())
}

fn moved(m: &mut Metrics, op: Operation, name: &str, site: String, n: u64) {
    let moved = m.moved.entry((op, site)).or_default();
    if name.starts_with("stella_bundles") {
        moved.bundles += n;
    } else {
        moved.items += n;
    }
}

fn operation(l: &Labels) -> Option<Operation> {
    match l.get("operation")?.as_str() {
        "import" => Some(Operation::Import),
        "export" => Some(Operation::Export),
        _ => None,
    }
}

fn count(value: &str) -> Option<u64> {
    value.parse().ok()
}

/// `1736937000.123` → unix ms.
fn millis(value: &str) -> Option<i64> {
    let (whole, frac) = value.split_once('.').unwrap_or((value, "0"));
    if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac: String = frac.chars().chain("000".chars()).take(3).collect();
    let sign = if whole.starts_with('-') { -1 } else { 1 };
    let ms = whole.parse::<i64>().ok()?.checked_mul(1000)?;
    ms.checked_add(sign * frac.parse::<i64>().ok()?)
}

/// `name{a="x",b="y"} value` (labels optional), escapes undone.
fn sample(line: &str) -> Option<(&str, Labels, &str)> {
    let end = line.find(['{', ' '])?;
    let (name, rest) = line.split_at(end);
    let (labels, rest) = match rest.strip_prefix('{') {
        Some(inner) => label_set(inner)?,
        None => (Labels::new(), rest),
    };
    let value = rest.strip_prefix(' ')?.trim_end();
    (!value.is_empty() && !value.contains(' ')).then_some((name, labels, value))
}

/// Parses `a="x",b="y"}` and returns the labels and what follows the `}`.
fn label_set(mut rest: &str) -> Option<(Labels, &str)> {
    let mut labels = Labels::new();
    loop {
        if let Some(after) = rest.strip_prefix('}') {
            return Some((labels, after));
        }
        let (key, after) = rest.split_once("=\"")?;
        let mut value = String::new();
        let mut chars = after.char_indices();
        let close = loop {
            match chars.next()? {
                (i, '"') => break i,
                (_, '\\') => match chars.next()?.1 {
                    'n' => value.push('\n'),
                    c @ ('\\' | '"') => value.push(c),
                    _ => return None,
                },
                (_, c) => value.push(c),
            }
        };
        labels.insert(key.to_owned(), value);
        rest = &after[close + 1..];
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
}
