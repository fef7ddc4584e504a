//! Conversions between stored column values and model values, shared by
//! both stores (nothing here knows a database driver's types).
//!
//! Everything read back from a database is treated as untrusted: a bad
//! UUID, enum name, cursor, negative counter or JSON document becomes
//! `StoreError::Corrupt` naming the table column and the row key, never a
//! panic. The text forms are the same in both stores, so both hand back
//! byte-identical records.

use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::cursor::Cursor;
use crate::model::{CanonicalRecord, Severity, Status};
use crate::store::{EventAction, Result, StoreError};

const STATUSES: [Status; 2] = [Status::Active, Status::Withdrawn];
const SEVERITIES: [Severity; 6] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::None,
    Severity::Unknown,
];
const ACTIONS: [EventAction; 3] = [
    EventAction::Created,
    EventAction::Updated,
    EventAction::Deleted,
];

pub fn corrupt(what: &'static str, key: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        what,
        detail: format!("row `{key}`: {detail}"),
    }
}

pub fn status(what: &'static str, key: &str, text: &str) -> Result<Status> {
    STATUSES
        .into_iter()
        .find(|s| s.as_str() == text)
        .ok_or_else(|| corrupt(what, key, format_args!("unknown status `{text}`")))
}

pub fn severity(what: &'static str, key: &str, text: &str) -> Result<Severity> {
    SEVERITIES
        .into_iter()
        .find(|s| s.as_str() == text)
        .ok_or_else(|| corrupt(what, key, format_args!("unknown severity `{text}`")))
}

pub fn action(what: &'static str, key: &str, text: &str) -> Result<EventAction> {
    ACTIONS
        .into_iter()
        .find(|a| a.as_str() == text)
        .ok_or_else(|| corrupt(what, key, format_args!("unknown action `{text}`")))
}

pub fn uuid(what: &'static str, key: &str, text: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(|e| corrupt(what, key, format_args!("`{text}`: {e}")))
}

pub fn cursor(what: &'static str, key: &str, text: &str) -> Result<Cursor> {
    text.parse().map_err(|e| corrupt(what, key, e))
}

pub fn opt_cursor(what: &'static str, key: &str, text: Option<String>) -> Result<Option<Cursor>> {
    text.map(|t| cursor(what, key, &t)).transpose()
}

/// A stored sequence or counter, which the schema keeps non-negative.
pub fn count(what: &'static str, key: &str, value: i64) -> Result<u64> {
    u64::try_from(value).map_err(|_| corrupt(what, key, format_args!("negative value `{value}`")))
}

/// A `u64` (sequence, counter, size) as an SQL integer. Values past
/// `i64::MAX` cannot occur in practice; saturating keeps range bounds right.
pub fn int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A cursor from a feed row's (seq, millis).
pub fn feed_cursor(seq: i64, millis: i64) -> Result<Cursor> {
    Ok(Cursor::new(
        millis,
        count("feed.seq", &seq.to_string(), seq)?,
    ))
}

pub fn from_json<T: DeserializeOwned>(what: &'static str, key: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| corrupt(what, key, e))
}

/// A nullable JSON column (a history: NULL for a row stored before one).
pub fn opt_json<T: DeserializeOwned>(
    what: &'static str,
    key: &str,
    text: Option<String>,
) -> Result<Option<T>> {
    text.map(|t| from_json(what, key, &t)).transpose()
}

pub fn opt_to_json<T: Serialize>(
    what: &'static str,
    key: &str,
    value: Option<&T>,
) -> Result<Option<String>> {
    value.map(|v| to_json(what, key, v)).transpose()
}

pub fn to_json<T: Serialize>(what: &'static str, key: &str, value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| corrupt(what, key, e))
}

/// A record's rows exactly as an export's NDJSON members hold them: the
/// canonical's line, and its edges' lines in the order an export lists them
/// ([`SourceEdge::key_order`](crate::model::SourceEdge::key_order)), each
/// line ending in `\n`. SQLite keeps them in the table `export_lines` so that
/// an export copies bytes instead of reading and serializing rows.
pub fn export_lines(key: &str, record: &CanonicalRecord) -> Result<(String, String)> {
    let mut line = to_json("export_lines.line", key, &record.canonical)?;
    line.push('\n');
    let mut edges: Vec<_> = record.edges.iter().collect();
    edges.sort_by(|a, b| a.key_order(b));
    let mut lines = String::new();
    for edge in edges {
        lines.push_str(&to_json("export_lines.edge_lines", key, edge)?);
        lines.push('\n');
    }
    Ok((line, lines))
}

/// Whether a feed row records a put or a delete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedKind {
    Put,
    Delete,
}

impl FeedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedKind::Put => "put",
            FeedKind::Delete => "delete",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_names_round_trip() {
        for s in STATUSES {
            assert_eq!(status("t.c", "k", s.as_str()).unwrap(), s);
        }
        for s in SEVERITIES {
            assert_eq!(severity("t.c", "k", s.as_str()).unwrap(), s);
        }
        for a in ACTIONS {
            assert_eq!(action("t.c", "k", a.as_str()).unwrap(), a);
        }
    }

    #[test]
    fn bad_text_is_corrupt_naming_column_and_row() {
        let err = severity("canonicals.severity", "sha256:ab", "Severe").unwrap_err();
        assert_eq!(
            err.to_string(),
            "stored row is corrupt (canonicals.severity): row `sha256:ab`: unknown severity `Severe`"
        );
        assert!(matches!(
            uuid("edges.id", "k", "nope"),
            Err(StoreError::Corrupt {
                what: "edges.id",
                ..
            })
        ));
        assert!(matches!(
            from_json::<Vec<String>>("canonicals.weaknesses", "k", "[1"),
            Err(StoreError::Corrupt {
                what: "canonicals.weaknesses",
                ..
            })
        ));
        assert!(matches!(
            count("sites.items_imported", "k", -1),
            Err(StoreError::Corrupt {
                what: "sites.items_imported",
                ..
            })
        ));
    }

    #[test]
    fn a_negative_feed_seq_is_corrupt() {
        let err = feed_cursor(-3, 0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "stored row is corrupt (feed.seq): row `-3`: negative value `-3`"
        );
        assert_eq!(feed_cursor(4, 9).unwrap(), Cursor::new(9, 4));
    }

    #[test]
    fn int_saturates() {
        assert_eq!(int(7), 7);
        assert_eq!(int(u64::MAX), i64::MAX);
    }
}
